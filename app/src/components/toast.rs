//! Toasts: short messages in the corner, for failures that have no field to sit next to.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub enum ToastKind {
    Error,
    Success,
}

#[derive(Clone, Debug)]
struct Toast {
    id: u64,
    kind: ToastKind,
    text: String,
}

/// The toast queue, shared through context.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toasts {
    pub fn new() -> Self {
        Self { items: RwSignal::new(Vec::new()), next: StoredValue::new(0) }
    }

    pub fn use_toasts() -> Self {
        expect_context::<Self>()
    }

    pub fn error(self, text: impl Into<String>) {
        self.push(ToastKind::Error, text.into());
    }

    pub fn success(self, text: impl Into<String>) {
        self.push(ToastKind::Success, text.into());
    }

    fn push(self, kind: ToastKind, text: String) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.items.update(|items| items.push(Toast { id, kind, text }));
        #[cfg(feature = "csr")]
        {
            let items = self.items;
            leptos::task::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(6_000).await;
                items.update(|items| items.retain(|t| t.id != id));
            });
        }
    }

    fn dismiss(self, id: u64) {
        self.items.update(|items| items.retain(|t| t.id != id));
    }
}

impl Default for Toasts {
    fn default() -> Self {
        Self::new()
    }
}

/// Where toasts appear. Announced to screen readers as they arrive.
#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = Toasts::use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div class="toast" class:toast-error=toast.kind == ToastKind::Error
                    class:toast-success=toast.kind == ToastKind::Success>
                    <span>{toast.text.clone()}</span>
                    <button class="toast-close" aria-label="Dismiss"
                        on:click=move |_| toasts.dismiss(toast.id)>"×"</button>
                </div>
            </For>
        </div>
    }
}
