//! Email templates: the keys, their documented variables, the defaults, and rendering.
//!
//! Rendering lives here (WASM-safe) so the template editor previews exactly what the
//! host will send. `{{name}}` is replaced by the variable's value; in HTML bodies the
//! value is HTML-escaped. Unknown variables render as empty text.

use serde::{Deserialize, Serialize};

/// Every email Portico sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum TemplateKey {
    Invite,
    RegistrationReceived,
    RegistrationApproved,
    RegistrationRejected,
    PasswordReset,
    PasswordChanged,
    EmailChange,
    TeamInvite,
    OrgRegistrationReceived,
    OrgRegistrationApproved,
    OrgRegistrationRejected,
    AccessRequestReceived,
    AccessRequestApproved,
    AccessRequestRejected,
}

/// A template as stored and edited: subject, plain-text body, HTML body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmailTemplate {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A template for the editor: what it is for, its variables, and whether it differs
/// from the default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmailTemplateView {
    pub key: TemplateKey,
    pub template: EmailTemplate,
    pub customised: bool,
}

/// A rendered message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

const COMMON: &[(&str, &str)] = &[
    ("portal_name", "The portal's name (Settings → General)"),
    ("first_name", "The recipient's first name"),
    ("last_name", "The recipient's last name"),
    ("email", "The recipient's email address"),
];

impl TemplateKey {
    pub const ALL: [Self; 14] = [
        Self::Invite,
        Self::RegistrationReceived,
        Self::RegistrationApproved,
        Self::RegistrationRejected,
        Self::PasswordReset,
        Self::PasswordChanged,
        Self::EmailChange,
        Self::TeamInvite,
        Self::OrgRegistrationReceived,
        Self::OrgRegistrationApproved,
        Self::OrgRegistrationRejected,
        Self::AccessRequestReceived,
        Self::AccessRequestApproved,
        Self::AccessRequestRejected,
    ];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invite => "invite",
            Self::RegistrationReceived => "registration_received",
            Self::RegistrationApproved => "registration_approved",
            Self::RegistrationRejected => "registration_rejected",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::EmailChange => "email_change",
            Self::TeamInvite => "team_invite",
            Self::OrgRegistrationReceived => "org_registration_received",
            Self::OrgRegistrationApproved => "org_registration_approved",
            Self::OrgRegistrationRejected => "org_registration_rejected",
            Self::AccessRequestReceived => "access_request_received",
            Self::AccessRequestApproved => "access_request_approved",
            Self::AccessRequestRejected => "access_request_rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What people call it.
    pub fn title(self) -> &'static str {
        match self {
            Self::Invite => "Invitation",
            Self::RegistrationReceived => "Registration received (to admins)",
            Self::RegistrationApproved => "Registration approved",
            Self::RegistrationRejected => "Registration rejected",
            Self::PasswordReset => "Password reset",
            Self::PasswordChanged => "Password changed",
            Self::EmailChange => "Confirm new email address",
            Self::TeamInvite => "Teammate invitation",
            Self::OrgRegistrationReceived => "Organisation request received (to admins)",
            Self::OrgRegistrationApproved => "Organisation approved",
            Self::OrgRegistrationRejected => "Organisation rejected",
            Self::AccessRequestReceived => "Access request received (to admins)",
            Self::AccessRequestApproved => "Access request approved",
            Self::AccessRequestRejected => "Access request rejected",
        }
    }

    /// The variables this template may use, with what each holds.
    pub fn variables(self) -> Vec<(&'static str, &'static str)> {
        let mut vars = COMMON.to_vec();
        vars.extend_from_slice(match self {
            Self::Invite => &[
                ("link", "The registration link (single use)"),
                ("inviter_name", "Who sent the invitation"),
                ("organisation", "The organisation the account joins"),
                ("expires_in", "How long the link stays valid"),
            ][..],
            Self::RegistrationReceived => &[
                ("applicant_name", "The new developer's name"),
                ("applicant_email", "The new developer's email"),
                ("link", "The admin page listing pending users"),
            ][..],
            Self::RegistrationApproved => &[("link", "The sign-in page")][..],
            Self::RegistrationRejected => &[("reason", "The admin's reason (may be empty)")][..],
            Self::PasswordReset => &[
                ("link", "The reset link (single use)"),
                ("expires_in", "How long the link stays valid"),
            ][..],
            Self::PasswordChanged => {
                &[("link", "The forgot-password page, in case it was not them")][..]
            }
            Self::EmailChange => &[
                ("link", "The confirmation link (single use)"),
                ("new_email", "The new address"),
            ][..],
            Self::TeamInvite => &[
                ("link", "The registration link (single use)"),
                ("inviter_name", "The teammate who sent the invitation"),
                ("organisation", "The organisation the account joins"),
                ("role", "The role in the organisation (super admin or team member)"),
                ("expires_in", "How long the link stays valid"),
            ][..],
            Self::OrgRegistrationReceived => &[
                ("requester_name", "The developer who asked for the organisation"),
                ("requester_email", "Their email address"),
                ("organisation", "The requested organisation's name"),
                ("link", "The admin page listing organisations"),
            ][..],
            Self::OrgRegistrationApproved => &[
                ("organisation", "The organisation's name"),
                ("link", "The organisation's page in the portal"),
            ][..],
            Self::OrgRegistrationRejected => &[
                ("organisation", "The requested organisation's name"),
                ("reason", "The admin's reason (may be empty)"),
            ][..],
            Self::AccessRequestReceived => &[
                ("requester_name", "The developer who asked for access"),
                ("requester_email", "Their email address"),
                ("organisation", "Their organisation"),
                ("app", "The app the access is for"),
                ("products", "The API products asked for"),
                ("plan", "The plan chosen"),
                ("link", "The admin page listing access requests"),
            ][..],
            Self::AccessRequestApproved => &[
                ("app", "The app the access is for"),
                ("products", "The API products"),
                ("plan", "The plan"),
                ("link", "The app's page, where keys are made"),
            ][..],
            Self::AccessRequestRejected => &[
                ("app", "The app the access was for"),
                ("products", "The API products asked for"),
                ("plan", "The plan chosen"),
                ("reason", "The admin's reason (may be empty)"),
            ][..],
        });
        vars
    }

    /// Example values for previews.
    pub fn sample(self) -> Vec<(&'static str, String)> {
        self.variables()
            .into_iter()
            .map(|(name, _)| {
                let value = match name {
                    "portal_name" => "Portico",
                    "first_name" => "Ada",
                    "last_name" => "Lovelace",
                    "email" | "applicant_email" => "ada@example.com",
                    "new_email" => "ada@newmail.example",
                    "applicant_name" => "Ada Lovelace",
                    "inviter_name" => "Grace Hopper",
                    "organisation" => "Analytical Engines Ltd",
                    "expires_in" => "72 hours",
                    "reason" => "We could not verify your company.",
                    "requester_name" => "Ada Lovelace",
                    "requester_email" => "ada@example.com",
                    "role" => "team member",
                    "app" => "Billing dashboard",
                    "products" => "Payments API, Refunds API",
                    "plan" => "Gold",
                    _ => "https://portal.example.com/auth/link?token=…",
                };
                (name, value.to_owned())
            })
            .collect()
    }

    /// The built-in template.
    pub fn default_template(self) -> EmailTemplate {
        let (subject, intro, action, outro) = match self {
            Self::Invite => (
                "You are invited to {{portal_name}}",
                "{{inviter_name}} invited you to join {{organisation}} on {{portal_name}}.",
                Some("Create your account"),
                "The link works once and expires in {{expires_in}}.",
            ),
            Self::RegistrationReceived => (
                "New registration on {{portal_name}}: {{applicant_name}}",
                "{{applicant_name}} ({{applicant_email}}) registered and is waiting for approval.",
                Some("Review pending users"),
                "",
            ),
            Self::RegistrationApproved => (
                "Your {{portal_name}} account is approved",
                "Good news: your account is approved. You can sign in now.",
                Some("Sign in"),
                "",
            ),
            Self::RegistrationRejected => (
                "Your {{portal_name}} registration",
                "Your registration was not approved. {{reason}}",
                None,
                "You may register again later.",
            ),
            Self::PasswordReset => (
                "Reset your {{portal_name}} password",
                "Someone asked to reset the password of your account. If it was you, choose a new password:",
                Some("Choose a new password"),
                "The link works once and expires in {{expires_in}}. If it was not you, ignore this email.",
            ),
            Self::PasswordChanged => (
                "Your {{portal_name}} password was changed",
                "The password of your account was just changed, and every session was signed out.",
                None,
                "If it was not you, reset your password at once: {{link}}",
            ),
            Self::EmailChange => (
                "Confirm your new email address for {{portal_name}}",
                "Please confirm that {{new_email}} is your new email address.",
                Some("Confirm the new address"),
                "Until you confirm, your account keeps its current address.",
            ),
            Self::TeamInvite => (
                "Join {{organisation}} on {{portal_name}}",
                "{{inviter_name}} invited you to join {{organisation}} on {{portal_name}} as {{role}}.",
                Some("Create your account"),
                "The link works once and expires in {{expires_in}}.",
            ),
            Self::OrgRegistrationReceived => (
                "Organisation request on {{portal_name}}: {{organisation}}",
                "{{requester_name}} ({{requester_email}}) asked to register the organisation {{organisation}}.",
                Some("Review organisations"),
                "",
            ),
            Self::OrgRegistrationApproved => (
                "{{organisation}} is approved on {{portal_name}}",
                "Good news: your organisation {{organisation}} is approved. You are its super admin and can invite your teammates now.",
                Some("Open your organisation"),
                "",
            ),
            Self::OrgRegistrationRejected => (
                "Your organisation request on {{portal_name}}",
                "Your request to register {{organisation}} was not approved. {{reason}}",
                None,
                "You can keep using the portal as an individual developer.",
            ),
            Self::AccessRequestReceived => (
                "Access request on {{portal_name}}: {{products}} for {{app}}",
                "{{requester_name}} ({{requester_email}}, {{organisation}}) asked for access to {{products}} on the {{plan}} plan for the app {{app}}.",
                Some("Review access requests"),
                "",
            ),
            Self::AccessRequestApproved => (
                "Access approved: {{products}} for {{app}}",
                "Good news: {{app}} now has access to {{products}} on the {{plan}} plan.",
                Some("Get your API key"),
                "Keys are shown once, when you make them; anyone in your organisation can make their own.",
            ),
            Self::AccessRequestRejected => (
                "Access request for {{app}} not approved",
                "Your request for access to {{products}} on the {{plan}} plan for {{app}} was not approved. {{reason}}",
                None,
                "You can choose another plan or contact the portal's administrators.",
            ),
        };
        let mut text = format!("Hello {{{{first_name}}}},\n\n{intro}\n");
        let mut html = format!("<p>Hello {{{{first_name}}}},</p>\n<p>{intro}</p>\n");
        if let Some(action) = action {
            text.push_str(&format!("\n{action}: {{{{link}}}}\n"));
            html.push_str(&format!(
                "<p><a href=\"{{{{link}}}}\" style=\"background:#3b4cca;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">{action}</a></p>\n"
            ));
        }
        if !outro.is_empty() {
            text.push_str(&format!("\n{outro}\n"));
            html.push_str(&format!("<p>{outro}</p>\n"));
        }
        text.push_str("\n— {{portal_name}}\n");
        html.push_str("<p>— {{portal_name}}</p>\n");
        EmailTemplate { subject: subject.to_owned(), text, html }
    }
}

/// Replaces `{{name}}` (spaces inside the braces allowed) with its value.
pub fn render(template: &str, vars: &[(&str, String)], escape_html: bool) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        if let Some((_, value)) = vars.iter().find(|(k, _)| *k == name) {
            if escape_html {
                out.push_str(&escape(value));
            } else {
                out.push_str(value);
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Renders all three parts. The subject never contains line breaks.
pub fn render_email(t: &EmailTemplate, vars: &[(&str, String)]) -> RenderedEmail {
    RenderedEmail {
        subject: render(&t.subject, vars, false).replace(['\r', '\n'], " "),
        text: render(&t.text, vars, false),
        html: render(&t.html, vars, true),
    }
}

/// Variables used by a template that the key does not define (shown as a warning).
pub fn unknown_variables(key: TemplateKey, t: &EmailTemplate) -> Vec<String> {
    let known: Vec<&str> = key.variables().into_iter().map(|(n, _)| n).collect();
    let mut unknown = Vec::new();
    for part in [&t.subject, &t.text, &t.html] {
        let mut rest = part.as_str();
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else { break };
            let name = after[..end].trim().to_owned();
            if !known.contains(&name.as_str()) && !unknown.contains(&name) {
                unknown.push(name);
            }
            rest = &after[end + 2..];
        }
    }
    unknown
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_variables_and_escapes_html_only_in_html() {
        let vars = vec![("first_name", "<Ada>".to_owned()), ("link", "https://x/?a=1&b=2".to_owned())];
        assert_eq!(render("Hi {{first_name}}, {{ link }}!", &vars, false), "Hi <Ada>, https://x/?a=1&b=2!");
        assert_eq!(
            render("<b>{{first_name}}</b> <a href=\"{{link}}\">", &vars, true),
            "<b>&lt;Ada&gt;</b> <a href=\"https://x/?a=1&amp;b=2\">"
        );
        assert_eq!(render("{{missing}}x{{unclosed", &vars, false), "x{{unclosed");
    }

    #[test]
    fn every_default_uses_only_its_documented_variables() {
        for key in TemplateKey::ALL {
            let t = key.default_template();
            assert_eq!(unknown_variables(key, &t), Vec::<String>::new(), "{key:?}");
            assert_eq!(TemplateKey::parse(key.as_str()), Some(key));
            let rendered = render_email(&t, &key.sample());
            assert!(!rendered.text.contains("{{"), "{key:?}: {}", rendered.text);
            assert!(rendered.text.contains("Ada"));
        }
    }

    #[test]
    fn subjects_cannot_carry_header_injection() {
        let t =
            EmailTemplate { subject: "Hi {{first_name}}".into(), text: String::new(), html: String::new() };
        let r = render_email(&t, &[("first_name", "x\r\nBcc: evil@example.com".into())]);
        assert!(!r.subject.contains('\n') && !r.subject.contains('\r'));
    }
}
