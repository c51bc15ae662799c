//! The 7-day usage chart: calls per hour, allowed and denied stacked. The chart is built
//! with charming in the WASM client and drawn by ECharts, which is vendored in
//! `public/vendor/` (nothing comes from a CDN). Beside it, the totals in words, so the
//! figures are readable without the picture too.

use leptos::prelude::*;
use portico_model::{UsageSeries, thousands};

/// The chart and its totals for `series` (`None` while the first answer is on its way).
#[component]
pub fn UsageChart(
    #[prop(into)] series: Signal<Option<UsageSeries>>,
    /// What the chart shows, for screen readers ("Calls to all your apps").
    #[prop(into)]
    label: Signal<String>,
) -> impl IntoView {
    let id = format!("usage-chart-{}", next_chart_number());
    #[cfg(feature = "csr")]
    {
        let handle = StoredValue::new_local(None::<charming::Echarts>);
        let target = id.clone();
        Effect::new(move |_| {
            if let Some(s) = series.get() {
                draw::when_ready(target.clone(), s, handle, 0);
            }
        });
    }
    let summary = move || {
        series.get().map(|s| {
            format!(
                "{}: {} allowed and {} denied calls over the past 7 days.",
                label.get(),
                thousands(s.allowed),
                thousands(s.denied)
            )
        })
    };
    view! {
        <div class="usage-chart-wrap">
            <div class="usage-totals" aria-live="polite">
                <div class="usage-total">
                    <span class="usage-total-value usage-allowed" data-testid="usage-allowed">
                        {move || series.get().map(|s| thousands(s.allowed))}
                    </span>
                    <span class="usage-total-label">"allowed"</span>
                </div>
                <div class="usage-total">
                    <span class="usage-total-value usage-denied" data-testid="usage-denied">
                        {move || series.get().map(|s| thousands(s.denied))}
                    </span>
                    <span class="usage-total-label">"denied"</span>
                </div>
                <ul class="usage-reasons" aria-label="Denied calls by reason">
                    {move || series.get().map(|s| s.denied_by_reason.into_iter().take(4).map(|r| view! {
                        <li class="reason-chip">{reason_label(&r.reason)} " " <strong>{thousands(r.count)}</strong></li>
                    }).collect_view())}
                </ul>
            </div>
            <div class="usage-chart" id=id role="img" aria-label=summary data-testid="usage-chart"></div>
            <p class="muted small usage-axis-note">"Calls per hour, in your time zone."</p>
        </div>
    }
}

/// A refusal's reason code in words.
pub fn reason_label(code: &str) -> &'static str {
    match code {
        "rate_limited" => "Rate limited",
        "quota_exceeded" => "Over quota",
        "revoked_key" => "Revoked key",
        "expired_key" => "Expired key",
        "not_approved" => "Not approved",
        "not_entitled" => "Path not covered",
        "developer_inactive" => "Developer inactive",
        "organisation_inactive" => "Organisation inactive",
        _ => "Other",
    }
}

fn next_chart_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(feature = "csr")]
mod draw {
    use charming::component::{Axis, Grid, Legend};
    use charming::element::{AxisType, Color, Tooltip, Trigger};
    use charming::series::Bar;
    use charming::{Chart, Echarts, WasmRenderer};
    use leptos::prelude::*;
    use portico_model::UsageSeries;
    use web_sys::js_sys::Reflect;
    use web_sys::wasm_bindgen::JsValue;

    /// ECharts loads with the page (`defer`); until it is there, try again shortly.
    pub fn when_ready(
        id: String,
        series: UsageSeries,
        handle: StoredValue<Option<Echarts>, LocalStorage>,
        tries: u32,
    ) {
        let loaded = web_sys::window()
            .and_then(|w| Reflect::get(&w, &JsValue::from_str("echarts")).ok())
            .is_some_and(|e| !e.is_undefined());
        if loaded {
            render(&id, &series, handle);
        } else if tries < 100 {
            leptos::task::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(100).await;
                when_ready(id, series, handle, tries + 1);
            });
        } else {
            leptos::logging::warn!("ECharts did not load: the usage chart is not drawn");
        }
    }

    fn render(id: &str, series: &UsageSeries, handle: StoredValue<Option<Echarts>, LocalStorage>) {
        // [time in ms, calls] pairs on a time axis: ECharts labels the days itself, in
        // the browser's time zone.
        #[allow(clippy::cast_precision_loss)]
        let at = |p: &portico_model::UsagePoint, v: u64| vec![p.hour.timestamp_millis() as f64, v as f64];
        let chart = Chart::new()
            .animation(false)
            .color(vec![Color::from("#1f9d55"), Color::from("#d64545")])
            .tooltip(Tooltip::new().trigger(Trigger::Axis))
            .legend(Legend::new().top("0"))
            .grid(Grid::new().left("2%").right("2%").top("36").bottom("4%").contain_label(true))
            .x_axis(Axis::new().type_(AxisType::Time))
            .y_axis(Axis::new().type_(AxisType::Value).min_interval(1))
            .series(
                Bar::new()
                    .name("Allowed")
                    .stack("calls")
                    .data(series.points.iter().map(|p| at(p, p.allowed)).collect()),
            )
            .series(
                Bar::new()
                    .name("Denied")
                    .stack("calls")
                    .data(series.points.iter().map(|p| at(p, p.denied)).collect()),
            );
        let existing = handle.with_value(|h| h.as_ref().map(|e| WasmRenderer::update(e, &chart)).is_some());
        if existing {
            return;
        }
        match WasmRenderer::new_opt(None, Some(280)).render(id, &chart) {
            Ok(echarts) => handle.set_value(Some(echarts)),
            Err(e) => leptos::logging::warn!("usage chart: {e}"),
        }
    }
}
