//! The client's view of who is signed in, and of the portal's name, shared through
//! context.

use crate::api::auth::{get_portal_info, who_am_i};
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::Me;

/// Who is signed in, as last reported by the host.
#[derive(Clone, Copy)]
pub struct Session {
    me: RwSignal<Option<Me>>,
    /// False until the first `who_am_i` has answered (pages show a loading state).
    loaded: RwSignal<bool>,
}

impl Session {
    pub fn new() -> Self {
        Self { me: RwSignal::new(None), loaded: RwSignal::new(false) }
    }

    /// The session from context (provided by `App`).
    pub fn use_session() -> Self {
        expect_context::<Self>()
    }

    /// Asks the host who is signed in.
    pub fn refresh(self) {
        spawn_local(async move {
            // A failure to ask counts as signed out; pages that need a user say so.
            let me = who_am_i().await.ok().flatten();
            self.me.set(me);
            self.loaded.set(true);
        });
    }

    pub fn me(self) -> Option<Me> {
        self.me.get()
    }

    pub fn loaded(self) -> bool {
        self.loaded.get()
    }

    pub fn set(self, me: Option<Me>) {
        self.me.set(me);
        self.loaded.set(true);
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

/// What the admins set in Settings → General that every page needs: the portal's name
/// (shown in the header) and whether developers may register organisations.
#[derive(Clone, Copy)]
pub struct Portal {
    name: RwSignal<String>,
    org_registration: RwSignal<bool>,
}

impl Portal {
    /// Provides the context and asks the host for the name.
    pub fn provide() {
        let portal =
            Self { name: RwSignal::new("Portico".to_owned()), org_registration: RwSignal::new(false) };
        provide_context(portal);
        spawn_local(async move {
            if let Ok(info) = get_portal_info().await {
                portal.set_name(info.portal_name);
                portal.org_registration.set(info.org_registration);
            }
        });
    }

    pub fn use_portal() -> Self {
        expect_context::<Self>()
    }

    pub fn name(self) -> String {
        self.name.get()
    }

    pub fn set_name(self, name: String) {
        self.name.set(name);
    }

    /// Whether developers may register organisations (Settings → General).
    pub fn org_registration(self) -> bool {
        self.org_registration.get()
    }

    pub fn set_org_registration(self, enabled: bool) {
        self.org_registration.set(enabled);
    }
}
