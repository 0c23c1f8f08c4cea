//! [`InForce`]: what the background work on applications (the dispatcher, the webhook
//! deliverer) reads of the configuration in force. The pipeline's gateway implements it,
//! so this layer names no type of the layer above it.

use std::sync::Arc;

use crate::applications::webhook::settings::Settings;
use crate::call::partner::Partner;
use crate::clients::Client;

/// The configuration in force now; each call sees the latest reload.
pub(crate) trait InForce: Send + Sync + 'static {
    /// The configured partner called `name`.
    fn partner(&self, name: &str) -> Option<Arc<Partner>>;
    /// The configured client with id `id`.
    fn client(&self, id: &str) -> Option<Arc<Client>>;
    /// How webhooks are delivered.
    fn webhooks(&self) -> Arc<Settings>;
}
