//! Pending invitations with resend and revoke: the admin's (Admin → Developers) and a super
//! admin's (My organisation). The host decides which invitations each may touch.

use crate::api::users::{resend_invitation, revoke_invitation};
use crate::components::avatar::{Avatar, initials};
use crate::components::states::{Empty, ErrorPanel, Loading};
use crate::components::toast::Toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{AppError, InvitationId, InvitationSummary};

#[component]
pub fn InvitationsTable(
    invitations: RwSignal<Option<Result<Vec<InvitationSummary>, AppError>>>,
    /// Called after a resend or revoke, to load the list again.
    on_change: Callback<()>,
    /// Show the role each invitee will get (inside an organisation).
    #[prop(optional)]
    show_role: bool,
) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let busy = RwSignal::new(None::<InvitationId>);

    let resend = move |inv: InvitationSummary| {
        busy.set(Some(inv.id));
        spawn_local(async move {
            match resend_invitation(inv.id).await {
                Ok(sent) => {
                    toasts.success(format!("Invitation sent again to {}.", sent.email));
                    on_change.run(());
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(None);
        });
    };
    let revoke = move |inv: InvitationSummary| {
        busy.set(Some(inv.id));
        spawn_local(async move {
            match revoke_invitation(inv.id).await {
                Ok(()) => {
                    toasts.success(format!("Invitation to {} revoked.", inv.email));
                    on_change.run(());
                }
                Err(e) => toasts.error(e.to_string()),
            }
            busy.set(None);
        });
    };

    move || {
        match invitations.get() {
        None => view! { <Loading label="Loading invitations…"/> }.into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e/> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <Empty title="No pending invitations">
                <p>"Invitations you send show here until they are used or revoked."</p>
            </Empty>
        }
        .into_any(),
        Some(Ok(list)) => view! {
            <div class="table-wrap">
                <table class="table" data-testid="invitations-table">
                    <thead>
                        <tr>
                            <th scope="col">"Invited"</th>
                            {show_role.then(|| view! { <th scope="col">"Role"</th> })}
                            <th scope="col">"Sent"</th>
                            <th scope="col">"Expires"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|inv| {
                            let id = inv.id;
                            let is_busy = move || busy.get() == Some(id);
                            let (for_resend, for_revoke) = (inv.clone(), inv.clone());
                            view! {
                                <tr data-testid="invitation-row">
                                    <td>
                                        <div class="user-cell">
                                            <Avatar initials=initials(&inv.name) seed=inv.email.clone() size="avatar-sm"/>
                                            <div><div>{inv.name.clone()}</div><div class="muted small">{inv.email.clone()}</div></div>
                                        </div>
                                    </td>
                                    {show_role.then(|| view! { <td class="small">{inv.role.label()}</td> })}
                                    <td class="muted small">{inv.last_sent_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                    <td class="small">
                                        <span class="muted">{inv.expires_at.format("%Y-%m-%d %H:%M").to_string()}</span>
                                        {inv.expired.then(|| view! { " " <span class="badge badge-expired">"expired"</span> })}
                                    </td>
                                    <td>
                                        <div class="row-actions">
                                            <button type="button" class="btn btn-ghost btn-sm" disabled=is_busy
                                                on:click=move |_| resend(for_resend.clone())>"Resend"</button>
                                            <button type="button" class="btn btn-ghost btn-sm btn-danger-text" disabled=is_busy
                                                on:click=move |_| revoke(for_revoke.clone())>"Revoke"</button>
                                        </div>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any(),
    }
    }
}
