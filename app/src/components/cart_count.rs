//! How many products are in the signed-in developer's cart: the nav bar's badge reads
//! it, and the product and cart pages update it after they change the cart.

use crate::api::apps::get_cart;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::Cart;

/// The number of products in the cart, shared through context (provided by `App`).
#[derive(Clone, Copy)]
pub struct CartCount(RwSignal<usize>);

impl CartCount {
    pub fn new() -> Self {
        Self(RwSignal::new(0))
    }

    /// The count from context, when `App` provides it.
    pub fn use_cart_count() -> Option<Self> {
        use_context::<Self>()
    }

    pub fn get(self) -> usize {
        self.0.get()
    }

    pub fn set(self, n: usize) {
        self.0.set(n);
    }

    /// Takes the count from a cart the host just returned.
    pub fn set_from(self, cart: &Cart) {
        self.0.set(cart.len());
    }

    /// Asks the host for the cart and counts it. The badge is a hint: on an error it
    /// keeps its last value.
    pub fn refresh(self) {
        spawn_local(async move {
            if let Ok(cart) = get_cart().await {
                self.set_from(&cart);
            }
        });
    }
}

impl Default for CartCount {
    fn default() -> Self {
        Self::new()
    }
}
