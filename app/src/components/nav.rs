//! The top navigation bar: brand, main links (the catalog for everyone; apps and the
//! cart with its count for developers), and the account menu.

use crate::api::auth::sign_out;
use crate::components::avatar::Avatar;
use crate::components::cart_count::CartCount;
use crate::components::toast::Toasts;
use crate::session::{Portal, Session};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};

#[component]
pub fn TopNav() -> impl IntoView {
    let session = Session::use_session();
    let portal = Portal::use_portal();
    let toasts = Toasts::use_toasts();
    let navigate = use_navigate();
    let signing_out = RwSignal::new(false);

    // The cart's count: shared with the pages when `App` provides it; otherwise the bar
    // keeps its own and counts again on every page change.
    let shared = CartCount::use_cart_count();
    let cart = shared.unwrap_or_default();
    let location = use_location();
    let developer = Memo::new(move |_| session.me().filter(|me| !me.is_admin()).map(|me| me.id));
    Effect::new(move |_| {
        if shared.is_none() {
            location.pathname.track();
        }
        match developer.get() {
            Some(_) => cart.refresh(),
            None => cart.set(0),
        }
    });
    let cart_link = move || {
        let n = cart.get();
        let label = match n {
            0 => "Cart, empty".to_owned(),
            1 => "Cart, 1 product".to_owned(),
            n => format!("Cart, {n} products"),
        };
        view! {
            <A href="/cart" attr:class="cart-link" attr:aria-label=label attr:data-testid="cart-link">
                "Cart"
                {(n > 0).then(|| view! { <span class="cart-badge" data-testid="cart-count">{n}</span> })}
            </A>
        }
    };

    let on_sign_out = move |_| {
        let navigate = navigate.clone();
        signing_out.set(true);
        leptos::task::spawn_local(async move {
            match sign_out().await {
                Ok(()) => {
                    session.set(None);
                    navigate("/sign-in", Default::default());
                    toasts.success("You are signed out.");
                }
                Err(e) => toasts.error(e.to_string()),
            }
            signing_out.set(false);
        });
    };

    view! {
        <header class="topnav">
            <nav class="topnav-inner" aria-label="Main">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"◆"</span>
                    " " {move || portal.name()}
                </A>
                <div class="topnav-links">
                    {move || match session.me() {
                        Some(me) => view! {
                            <A href="/dashboard">"Dashboard"</A>
                            <A href="/catalog">"Catalog"</A>
                            {(!me.is_admin()).then(|| view! {
                                <A href="/apps">"Apps"</A>
                                <A href="/organisation">"Organisation"</A>
                            })}
                            {me.is_admin().then(|| view! { <A href="/admin">"Admin"</A> })}
                        }.into_any(),
                        None => view! { <A href="/catalog">"Catalog"</A> }.into_any(),
                    }}
                </div>
                <div class="topnav-account">
                    {move || match session.me() {
                        Some(me) => {
                            let title = me.email.clone();
                            let developer = !me.is_admin();
                            view! {
                            {developer.then_some(cart_link)}
                            <A href="/account" attr:class="account-chip" attr:title=title>
                                <Avatar initials=me.initials() seed=me.email.clone() size="avatar-sm"
                                    gravatar=me.gravatar_hash.clone()/>
                                <span class="account-name">{me.display_name()}</span>
                            </A>
                            <button class="btn btn-ghost" on:click=on_sign_out.clone()
                                disabled=move || signing_out.get()>"Sign out"</button>
                        }.into_any()
                        }
                        None if session.loaded() => view! {
                            <A href="/sign-in" attr:class="btn btn-ghost">"Sign in"</A>
                            <A href="/sign-up" attr:class="btn btn-primary">"Sign up"</A>
                        }.into_any(),
                        None => view! { <span class="account-chip muted">"…"</span> }.into_any(),
                    }}
                </div>
            </nav>
        </header>
    }
}
