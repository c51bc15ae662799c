//! The top navigation bar: brand, main links, and the account menu.

use crate::api::auth::sign_out;
use crate::components::avatar::Avatar;
use crate::components::toast::Toasts;
use crate::session::{Portal, Session};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn TopNav() -> impl IntoView {
    let session = Session::use_session();
    let portal = Portal::use_portal();
    let toasts = Toasts::use_toasts();
    let navigate = use_navigate();
    let signing_out = RwSignal::new(false);

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
                    {move || session.me().map(|me| view! {
                        <A href="/dashboard">"Dashboard"</A>
                        {(!me.is_admin()).then(|| view! { <A href="/organisation">"Organisation"</A> })}
                        {me.is_admin().then(|| view! { <A href="/admin">"Admin"</A> })}
                    })}
                </div>
                <div class="topnav-account">
                    {move || match session.me() {
                        Some(me) => {
                            let title = me.email.clone();
                            view! {
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
