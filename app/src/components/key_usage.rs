//! Keys with their plan's limits and quota meters: how much of the current period's
//! quota each key used, how much is left and when it starts again (Tyk never built
//! this view; we show it).

use leptos::prelude::*;
use portico_model::time::span;
use portico_model::{KeyUsage, thousands};

/// One row per key; `as_of` is when the host read the figures (for "resets in").
#[component]
pub fn KeyUsageTable(keys: Vec<KeyUsage>, as_of: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table key-usage-table">
                <thead>
                    <tr>
                        <th scope="col">"Key"</th>
                        <th scope="col">"App"</th>
                        <th scope="col">"Plan"</th>
                        <th scope="col" class="quota-col">"Quota"</th>
                        <th scope="col" class="num">"Calls, 7 days"</th>
                        <th scope="col">"Last used"</th>
                    </tr>
                </thead>
                <tbody>
                    {keys.into_iter().map(|k| view! { <KeyUsageRow key=k as_of=as_of/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn KeyUsageRow(key: KeyUsage, as_of: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let status = key.status;
    let rate = format!(
        "{} request{}/{}",
        thousands(u64::from(key.plan.rate_limit)),
        if key.plan.rate_limit == 1 { "" } else { "s" },
        key.plan.rate_period.unit()
    );
    let last_used =
        key.last_used_at.map_or_else(|| "never".to_owned(), |at| format!("{} ago", span(as_of - at)));
    let products = key.products.join(", ");
    view! {
        <tr data-testid="key-usage-row" data-key-prefix=key.prefix.clone()>
            <td>
                <code>{key.prefix.clone()} "…"</code>
                <div><span class=format!("badge key-status key-{}", status.slug())>{status.label()}</span></div>
            </td>
            <td>
                <div>{key.app_name.clone()}</div>
                <div class="muted small">{products}</div>
            </td>
            <td>
                <div>{key.plan.name.clone()}</div>
                <div class="muted small">{rate}</div>
            </td>
            <td class="quota-col"><QuotaMeter key=key.clone() as_of=as_of/></td>
            <td class="num">{thousands(key.calls_7d)}</td>
            <td class="small muted nowrap">{last_used}</td>
        </tr>
    }
}

/// A key's quota for the current period as a meter, with used, left and reset time.
#[component]
pub fn QuotaMeter(key: KeyUsage, as_of: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let period = key.plan.quota_period.unit();
    let resets = format!("resets in {}", span(key.quota_resets_at - as_of));
    match (key.plan.quota, key.quota_fraction()) {
        (Some(quota), Some(fraction)) => {
            let percent = (fraction * 100.0).round();
            let level = if fraction >= 1.0 {
                "meter-full"
            } else if fraction >= 0.8 {
                "meter-high"
            } else {
                "meter-ok"
            };
            let left = key.quota_remaining.unwrap_or(0);
            let label = format!("Quota used this {period}");
            view! {
                <div class="quota">
                    <div class=format!("meter {level}") role="meter" aria-label=label
                        aria-valuemin="0" aria-valuemax=quota.to_string() aria-valuenow=key.quota_used.to_string()
                        aria-valuetext=format!("{} of {} used", thousands(key.quota_used), thousands(u64::from(quota)))
                        data-testid="quota-meter">
                        <div class="meter-fill" style=format!("width: {percent}%")></div>
                    </div>
                    <div class="small">
                        <span data-testid="quota-used">{thousands(key.quota_used)}</span>
                        " of " {thousands(u64::from(quota))} "/" {period} " · "
                        <span data-testid="quota-left">{thousands(left)}</span> " left"
                    </div>
                    <div class="muted small">{resets}</div>
                </div>
            }
            .into_any()
        }
        _ => view! {
            <div class="quota">
                <div class="small">"Unlimited"</div>
                <div class="muted small">
                    <span data-testid="quota-used">{thousands(key.quota_used)}</span> " this " {period}
                </div>
            </div>
        }
        .into_any(),
    }
}
