//! The developer's home: account summary now; apps, keys and usage arrive with the
//! catalog and gateway features.

use crate::components::avatar::Avatar;
use crate::components::states::Empty;
use crate::pages::signed_in;
use crate::session::Portal;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let portal = Portal::use_portal();
    signed_in(move |me| {
        let status = me.status.label();
        // Individuals may register an organisation of their own (when the portal allows).
        let individual = me.org_is_default && !me.is_admin();
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
                            <dt>"Organisation"</dt>
                            <dd>
                                {if me.org_is_default { "Individual developer".to_owned() } else {
                                    format!("{} ({})", me.org_name, me.org_role.label())
                                }}
                            </dd>
                            <dt>"Status"</dt><dd><span class=format!("badge badge-{status}")>{status}</span></dd>
                            <dt>"Developer ID"</dt><dd><code>{me.id.to_string()}</code></dd>
                        </dl>
                    </div>
                    {move || (individual && portal.org_registration()).then(|| view! {
                        <p class="card-actions">
                            <A href="/organisation" attr:class="btn btn-ghost" attr:data-testid="create-org-link">
                                "Create an organisation"
                            </A>
                        </p>
                    })}
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
