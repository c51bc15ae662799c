//! A user's avatar: their initials on a colour derived from their email, so it looks
//! right with no network (a Gravatar picture arrives with the account page, later).

use leptos::prelude::*;

#[component]
pub fn Avatar(
    #[prop(into)] initials: String,
    #[prop(into)] seed: String,
    #[prop(default = "")] size: &'static str,
) -> impl IntoView {
    let hue = seed.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 360;
    view! {
        <span class=format!("avatar {size}") style=format!("background: hsl({hue} 45% 42%)") aria-hidden="true">
            {initials}
        </span>
    }
}
