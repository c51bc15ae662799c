//! The "key shown once" panel: a new API key in full, a Copy button, the warning that it
//! is never shown again, and Done to hide it. Also [`CopyButton`] for any short text.

use leptos::prelude::*;

/// Shows a freshly made key once. `id` makes the input's id unique on the page.
#[component]
pub fn SecretKey(
    /// The full key, as the host returned it (it is not stored anywhere).
    #[prop(into)]
    secret: String,
    /// What just happened, e.g. "New key created" (none when the page says it already).
    #[prop(optional, into)]
    title: Option<String>,
    /// A unique suffix for the input's id (the key's id, say).
    #[prop(into)]
    id: String,
    /// What the secret is: "key" (the default) or "token".
    #[prop(default = "key")]
    noun: &'static str,
    /// Called after "Done" hid the panel.
    #[prop(optional)]
    on_done: Option<Callback<()>>,
) -> impl IntoView {
    let open = RwSignal::new(true);
    let input_id = format!("new-key-{id}");
    let warning_id = format!("new-key-warning-{id}");
    let done = move |_| {
        open.set(false);
        if let Some(cb) = on_done {
            cb.run(());
        }
    };
    let secret = StoredValue::new(secret);
    let copy_target = input_id.clone();
    move || {
        open.get().then(|| {
            let (input_id, warning_id) = (input_id.clone(), warning_id.clone());
            view! {
                <section class="secret-key" role="status" aria-live="polite" data-testid="secret-key-panel">
                    {title.clone().map(|t| view! { <h3 class="secret-key-title">{t}</h3> })}
                    <label for=input_id.clone()>{format!("Your new API {noun}")}</label>
                    <div class="secret-key-row">
                        <input id=input_id type="text" readonly=true class="secret-key-input" spellcheck="false"
                            autocomplete="off" data-testid="new-key-secret" aria-describedby=warning_id.clone()
                            prop:value=move || secret.get_value()
                            on:focus=move |ev| select_all(&ev)/>
                        <CopyButton text=secret.get_value() target=copy_target.clone() testid="copy-key"/>
                    </div>
                    <p class="secret-key-warning" id=warning_id>
                        <strong>{format!("This is the only time the {noun} is shown.")}</strong>
                        {format!(" Store it somewhere safe, such as your secrets manager; if you lose it, create a new {noun}.")}
                    </p>
                    <button type="button" class="btn btn-ghost btn-sm" on:click=done data-testid="key-done">"Done"</button>
                </section>
            }
        })
    }
}

/// A "Copy" button that puts `text` on the clipboard and says "Copied" for a moment.
/// `target` is the id of an element showing the same text: without the Clipboard API
/// (an address that is not https) the button selects and copies it the old way.
#[component]
pub fn CopyButton(
    #[prop(into)] text: String,
    #[prop(optional, into)] target: String,
    #[prop(default = "copy")] testid: &'static str,
    #[prop(default = "Copy")] label: &'static str,
) -> impl IntoView {
    let state = RwSignal::new(CopyState::Idle);
    let text = StoredValue::new(text);
    let target = StoredValue::new(target);
    let click = move |_| {
        state.set(CopyState::Busy);
        copy_text(text.get_value(), target.get_value(), state);
    };
    view! {
        <button type="button" class="btn btn-ghost btn-sm copy-btn" data-testid=testid on:click=click
            class:copy-done=move || state.get() == CopyState::Copied
            disabled=move || state.get() == CopyState::Busy>
            {move || match state.get() {
                CopyState::Copied => "Copied",
                CopyState::Failed => "Press Ctrl+C",
                CopyState::Idle | CopyState::Busy => label,
            }}
        </button>
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CopyState {
    Idle,
    Busy,
    Copied,
    /// Neither way worked: the text is selected, the person copies it by hand.
    Failed,
}

/// Selects the whole value of the focused input, so one keystroke copies it.
fn select_all(ev: &leptos::ev::FocusEvent) {
    #[cfg(feature = "csr")]
    {
        use web_sys::wasm_bindgen::JsCast;
        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            input.select();
        }
    }
    #[cfg(not(feature = "csr"))]
    let _ = ev;
}

/// `navigator.clipboard.writeText`, falling back to selecting the target and
/// `document.execCommand("copy")`.
#[cfg(feature = "csr")]
fn copy_text(text: String, target: String, state: RwSignal<CopyState>) {
    use web_sys::js_sys::{Promise, Reflect};
    use web_sys::wasm_bindgen::JsValue;
    use web_sys::wasm_bindgen::closure::Closure;

    let settle = move |copied: bool| {
        state.set(if copied { CopyState::Copied } else { CopyState::Failed });
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(2_000).await;
            state.set(CopyState::Idle);
        });
    };
    let Some(window) = web_sys::window() else {
        settle(false);
        return;
    };
    let navigator = window.navigator();
    // Only secure contexts (https, localhost) have `navigator.clipboard`.
    let has_clipboard = Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .map(|c| !c.is_undefined() && !c.is_null())
        .unwrap_or(false);
    if !has_clipboard {
        settle(copy_from_input(&target));
        return;
    }
    let promise: Promise = navigator.clipboard().write_text(&text);
    let on_ok = Closure::<dyn FnMut(JsValue)>::new(move |_| settle(true));
    let on_err = Closure::<dyn FnMut(JsValue)>::new(move |_| settle(copy_from_input(&target)));
    let _ = promise.then2(&on_ok, &on_err);
    // Each runs at most once; the two small closures live as long as the page.
    on_ok.forget();
    on_err.forget();
}

/// Selects the target (an input's value, or any element's text) and copies the selection.
#[cfg(feature = "csr")]
fn copy_from_input(target: &str) -> bool {
    use web_sys::wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else { return false };
    let Some(document) = window.document() else { return false };
    let Some(element) = document.get_element_by_id(target) else { return false };
    match element.dyn_into::<web_sys::HtmlInputElement>() {
        Ok(input) => input.select(),
        Err(element) => {
            let Some(selection) = window.get_selection().ok().flatten() else { return false };
            if selection.select_all_children(&element).is_err() {
                return false;
            }
        }
    }
    document
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false)
}

#[cfg(not(feature = "csr"))]
fn copy_text(_text: String, _target: String, state: RwSignal<CopyState>) {
    state.set(CopyState::Failed);
}
