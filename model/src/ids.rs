//! Typed identifiers, so a user id can never be passed where an organisation id is meant.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

typed_id!(
    /// A user of the portal: a developer or a portal admin ("developer ID" in the UI).
    UserId
);
typed_id!(
    /// An organisation of API consumers.
    OrgId
);
typed_id!(
    /// A team inside an organisation.
    TeamId
);
typed_id!(
    /// An invitation to register.
    InvitationId
);
typed_id!(
    /// A mail in the outbox.
    MailId
);
typed_id!(
    /// An invite code that places whoever signs up with it in a team.
    InviteCodeId
);
typed_id!(
    /// An API product: a bundle of APIs offered in catalogs.
    ProductId
);
typed_id!(
    /// One API (a path prefix, optionally an OpenAPI document) of a product.
    ProductApiId
);
typed_id!(
    /// A catalog: products offered with plans, public or private to chosen audiences.
    CatalogId
);
typed_id!(
    /// A plan of a catalog: rate limit, quota, key lifetime, approval.
    PlanId
);
typed_id!(
    /// A consumer's application, shared by its organisation.
    AppId
);
typed_id!(
    /// A request for access to products of one catalog on one plan, for one app.
    AccessRequestId
);
typed_id!(
    /// An API key (its metadata; the key itself is shown once and stored hashed).
    ApiKeyId
);
typed_id!(
    /// A background export job.
    ExportId
);
typed_id!(
    /// An admin API token for the REST API (metadata; the token is shown once).
    ApiTokenId
);
