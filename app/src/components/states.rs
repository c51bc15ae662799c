//! Loading, empty and error states, so no page is ever blank.

use leptos::prelude::*;
use portico_model::AppError;

#[component]
pub fn Loading(#[prop(default = "Loading…")] label: &'static str) -> impl IntoView {
    view! {
        <div class="state state-loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}

#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let title = match error {
        AppError::Forbidden => "Not allowed",
        AppError::Unauthenticated => "Please sign in",
        AppError::NotFound => "Not found",
        _ => "Something went wrong",
    };
    view! {
        <div class="state state-error" role="alert">
            <h2>{title}</h2>
            <p>{error.to_string()}</p>
        </div>
    }
}

#[component]
pub fn Empty(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="state state-empty">
            <h3>{title}</h3>
            <div>{children()}</div>
        </div>
    }
}
