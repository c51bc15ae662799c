//! The developer's apps and subscriptions: each live access request with its plan, a
//! "Change plan" to another plan of the same catalog (upgrade or downgrade, same keys),
//! and "Revoke", which stops its keys at once.

use super::ProfileState;
use crate::api::developers::{change_subscription_plan, revoke_subscription};
use crate::components::states::Empty;
use crate::components::toast::Toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{AccessRequestId, AppView, PlanId, Subscription};

#[component]
pub(super) fn Subscriptions(subscriptions: Vec<Subscription>, state: ProfileState) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="subscriptions-heading">
            <h2 id="subscriptions-heading">"Subscriptions"</h2>
            {if subscriptions.is_empty() {
                view! { <Empty title="No subscriptions"><p>"Pending and approved access requests of their apps show here."</p></Empty> }.into_any()
            } else {
                view! {
                    <ul class="subscription-list">
                        {subscriptions.into_iter().map(|s| view! { <SubscriptionRow sub=s state=state/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn SubscriptionRow(sub: Subscription, state: ProfileState) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let r = sub.request.clone();
    let request_id: AccessRequestId = r.id;
    let chosen = RwSignal::new(sub.other_plans.first().map(|p| p.id));
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let products = r.products.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ");
    let status = r.status.label();
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(plan) = chosen.get_untracked() else { return };
        busy.set(true);
        spawn_local(async move {
            match change_subscription_plan(request_id, plan).await {
                Ok(()) => {
                    toasts.success(
                        "Plan changed. The keys stay the same; the new limits apply from the next call.",
                    );
                    state.reload();
                }
                Err(e) => toasts.error(e.field_message("plan_id").unwrap_or_else(|| e.to_string())),
            }
            busy.set(false);
        });
    };
    let revoke = move |_| {
        busy.set(true);
        spawn_local(async move {
            match revoke_subscription(request_id).await {
                Ok(()) => {
                    toasts.success("Subscription revoked: its keys stopped working.");
                    state.reload();
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    let select_id = format!("plan-for-{request_id}");
    let has_others = !sub.other_plans.is_empty();
    view! {
        <li class="subscription" data-testid="subscription-row" data-app=r.app_name.clone()>
            <div class="subscription-head">
                <div>
                    <h3>{r.app_name.clone()}</h3>
                    <p class="muted small">{format!("{products} · {}", r.catalog.name)}</p>
                </div>
                <span class=format!("badge badge-{status}")>{status}</span>
            </div>
            <p>
                <strong data-testid="subscription-plan">{r.plan.name.clone()}</strong>
                " — " <span class="muted">{r.plan.terms()}</span>
            </p>
            <div class="subscription-actions">
                {has_others.then(|| view! {
                    <form class="inline-form" on:submit=change>
                        <label for=select_id.clone()>"Change plan to"</label>
                        <select id=select_id.clone() data-testid="change-plan-select"
                            on:change=move |ev| chosen.set(event_target_value(&ev).parse::<uuid::Uuid>().ok().map(PlanId))>
                            {sub.other_plans.iter().map(|p| view! {
                                <option value=p.id.to_string()>{format!("{} — {}", p.name, p.terms())}</option>
                            }).collect_view()}
                        </select>
                        <button type="submit" class="btn btn-ghost btn-sm" disabled=move || busy.get()
                            data-testid="change-plan">"Change plan"</button>
                    </form>
                })}
                {move || if confirming.get() {
                    view! {
                        <span class="confirm-inline">
                            "Its keys stop at once. "
                            <button type="button" class="btn btn-danger btn-sm" disabled=move || busy.get()
                                data-testid="confirm-revoke-subscription" on:click=revoke>"Revoke"</button>
                            <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="btn btn-ghost btn-sm" data-testid="revoke-subscription"
                            on:click=move |_| confirming.set(true)>"Revoke…"</button>
                    }.into_any()
                }}
            </div>
        </li>
    }
}

/// The developer's apps (the ones they made or own) with their keys' states.
#[component]
pub(super) fn Apps(apps: Vec<AppView>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="dev-apps-heading">
            <h2 id="dev-apps-heading">"Apps"</h2>
            {if apps.is_empty() {
                view! { <Empty title="No apps"><p>"Apps this developer makes appear here."</p></Empty> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="developer-apps">
                            <thead><tr><th scope="col">"App"</th><th scope="col">"Organisation"</th>
                                <th scope="col">"Keys"</th><th scope="col">"Created"</th></tr></thead>
                            <tbody>
                                {apps.into_iter().map(|a| {
                                    let working = a.keys.iter().filter(|k| k.status.works()).count();
                                    let keys = format!("{working} working of {}", a.keys.len());
                                    view! {
                                        <tr>
                                            <td>{a.name.clone()}<div class="muted small">{if a.shared { "shared with the organisation" } else { "their own" }}</div></td>
                                            <td>{a.organisation.clone()}</td>
                                            <td>{keys}</td>
                                            <td class="muted small nowrap">{a.created_at.format("%Y-%m-%d").to_string()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
