//! The developer's home: account summary now; apps, keys and usage arrive with the
//! catalog and gateway features.

use crate::components::avatar::Avatar;
use crate::components::states::Empty;
use crate::pages::signed_in;
use leptos::prelude::*;

#[component]
pub fn DashboardPage() -> impl IntoView {
    signed_in(|me| {
        let status = me.status.label();
        view! {
            <div class="page-header">
                <div>
                    <h1>"Dashboard"</h1>
                    <p class="muted">{format!("Welcome, {}.", me.first_name)}</p>
                </div>
            </div>
            <div class="grid-2">
                <section class="card" aria-labelledby="account-heading">
                    <h2 id="account-heading">"Your account"</h2>
                    <div class="profile-row">
                        <Avatar initials=me.initials() seed=me.email.clone() size="avatar-lg"/>
                        <dl class="facts">
                            <dt>"Name"</dt><dd>{me.display_name()}</dd>
                            <dt>"Email"</dt><dd>{me.email.clone()}</dd>
                            <dt>"Organisation"</dt><dd>{me.org_name.clone()}</dd>
                            <dt>"Status"</dt><dd><span class=format!("badge badge-{status}")>{status}</span></dd>
                            <dt>"Developer ID"</dt><dd><code>{me.id.to_string()}</code></dd>
                        </dl>
                    </div>
                </section>
                <section class="card" aria-labelledby="apps-heading">
                    <h2 id="apps-heading">"Your apps"</h2>
                    <Empty title="No apps yet">
                        <p>"Apps and their API keys will appear here once you request access to an API product."</p>
                    </Empty>
                </section>
            </div>
        }
    })
}
