//! The registered national services. Adding a partner is one adapter folder and one line
//! in [`all`].

use std::sync::Arc;

use lienthong_adapter_business_registry::{BusinessRegistry, RegistrySimulator};
use lienthong_adapter_judicial_records::{JudicialRecords, JudicialRecordsSimulator};
use lienthong_adapter_kit::adapter::Adapter;
use lienthong_adapter_kit::sim::{SimSettings, Simulator};
use lienthong_adapter_legal_documents::{LegalDocuments, LegalDocumentsSimulator};
use lienthong_adapter_social_insurance::{InsuranceSimulator, SocialInsurance};

/// A national service: its adapter and a factory for its simulator.
pub struct Partner {
    /// The adapter the bus routes to.
    pub adapter: Arc<dyn Adapter>,
    /// Builds the partner's simulator (datasets are built on demand).
    pub simulator: fn(&SimSettings) -> Arc<dyn Simulator>,
}

/// Every partner the bus knows, in catalogue order.
pub fn all() -> Vec<Partner> {
    #[rustfmt::skip]
    let partners = vec![
        Partner { adapter: Arc::new(BusinessRegistry), simulator: |_| Arc::new(RegistrySimulator::new()) },
        Partner { adapter: Arc::new(SocialInsurance), simulator: |s| Arc::new(InsuranceSimulator::new(s)) },
        Partner { adapter: Arc::new(LegalDocuments), simulator: |s| Arc::new(LegalDocumentsSimulator::new(s)) },
        Partner { adapter: Arc::new(JudicialRecords), simulator: |s| Arc::new(JudicialRecordsSimulator::new(s)) },
    ];
    partners
}

/// The adapters of [`all`].
pub fn adapters() -> Vec<Arc<dyn Adapter>> {
    all().into_iter().map(|p| p.adapter).collect()
}
