//! The inline form under a developer's row: move them to an organisation, into some of
//! its teams, with a consumer role.

use super::UsersState;
use crate::api::organisations::{assign_user, get_organisation, list_organisations};
use crate::components::toast::Toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_model::{ConsumerRole, OrgId, OrgStatus, OrgSummary, TeamId, TeamSummary, UserSummary};

#[component]
pub(super) fn AssignRow(user: UserSummary, state: UsersState, on_close: Callback<()>) -> impl IntoView {
    let toasts = Toasts::use_toasts();
    let orgs = RwSignal::new(Vec::<OrgSummary>::new());
    let org = RwSignal::new(None::<OrgId>);
    let teams = RwSignal::new(Vec::<TeamSummary>::new());
    let chosen = RwSignal::new(Vec::<TeamId>::new());
    let role = RwSignal::new(ConsumerRole::Member);
    let saving = RwSignal::new(false);
    spawn_local(async move {
        match list_organisations(None, Some(OrgStatus::Active)).await {
            Ok(list) => orgs.set(list),
            Err(e) => toasts.error(e.to_string()),
        }
    });
    // The chosen organisation's teams; its default team is ticked to start with.
    Effect::new(move |_| {
        let Some(id) = org.get() else { return };
        spawn_local(async move {
            match get_organisation(id).await {
                Ok(d) => {
                    chosen.set(d.teams.iter().filter(|t| t.is_default).map(|t| t.id).collect());
                    teams.set(d.teams);
                }
                Err(e) => toasts.error(e.to_string()),
            }
        });
    });
    let user_id = user.id;
    let name = user.name.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(org_id) = org.get_untracked() else {
            toasts.error("Choose an organisation.");
            return;
        };
        saving.set(true);
        let name = name.clone();
        spawn_local(async move {
            match assign_user(user_id, org_id, chosen.get_untracked(), role.get_untracked()).await {
                Ok(()) => {
                    toasts.success(format!("{name} moved."));
                    state.reload_users();
                    on_close.run(());
                }
                Err(e) => toasts.error(e.field_message("teams").unwrap_or_else(|| e.to_string())),
            }
            saving.set(false);
        });
    };
    let select_id = format!("assign-org-{user_id}");
    let role_id = format!("assign-role-{user_id}");
    view! {
        <tr class="reject-row" data-testid="assign-form">
            <td colspan="5">
                <form on:submit=save class="assign-form">
                    <div class="field">
                        <label for=select_id.clone()>{format!("Organisation for {}", user.name)}</label>
                        <select id=select_id on:change=move |ev| org.set(event_target_value(&ev).parse().ok())>
                            <option value="" selected=true>"Choose…"</option>
                            {move || orgs.get().into_iter().map(|o| view! {
                                <option value=o.id.to_string()>{o.name.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <fieldset class="field">
                        <legend>"Teams"</legend>
                        <div class="team-chips">
                            {move || teams.get().into_iter().map(|t| {
                                let id = t.id;
                                let on = move || chosen.get().contains(&id);
                                view! {
                                    <label class="team-chip" class:on=on>
                                        <input type="checkbox" prop:checked=on on:change=move |_| chosen.update(|c| {
                                            if c.contains(&id) { c.retain(|x| *x != id) } else { c.push(id) }
                                        })/>
                                        {t.name.clone()}
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    </fieldset>
                    <div class="field">
                        <label for=role_id.clone()>"Role"</label>
                        <select id=role_id on:change=move |ev| role.set(
                            if event_target_value(&ev) == "super_admin" { ConsumerRole::SuperAdmin } else { ConsumerRole::Member }
                        )>
                            <option value="member" selected=true>"Team member"</option>
                            <option value="super_admin">"Super admin"</option>
                        </select>
                    </div>
                    <div class="row-actions">
                        <button type="submit" class="btn btn-primary btn-sm" disabled=move || saving.get()>"Move user"</button>
                        <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| on_close.run(())>"Cancel"</button>
                    </div>
                </form>
            </td>
        </tr>
    }
}
