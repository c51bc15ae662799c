//! A user's avatar: their Gravatar picture when the address has one, otherwise their
//! initials on a colour derived from the email — so it looks right with no network.

use leptos::prelude::*;

#[component]
pub fn Avatar(
    #[prop(into)] initials: String,
    #[prop(into)] seed: String,
    #[prop(default = "")] size: &'static str,
    /// MD5 of the email; when given, the Gravatar picture covers the initials if it loads.
    #[prop(optional, into)]
    gravatar: Option<String>,
) -> impl IntoView {
    let hue = seed.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 360;
    let failed = RwSignal::new(false);
    let picture = move || {
        let hash = gravatar.clone()?;
        (!failed.get()).then(|| {
            view! {
                <img class="avatar-img" alt="" src=format!("https://www.gravatar.com/avatar/{hash}?s=160&d=404")
                    on:error=move |_| failed.set(true)/>
            }
        })
    };
    view! {
        <span class=format!("avatar {size}") style=format!("background: hsl({hue} 45% 42%)") aria-hidden="true">
            {initials}
            {picture}
        </span>
    }
}

/// Two letters for an avatar from a full name ("Ada Lovelace" → "AL").
pub fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).flat_map(char::to_uppercase).take(2).collect()
}
