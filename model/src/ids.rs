//! Typed identifiers, so a user id can never be passed where an organisation id is meant.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
