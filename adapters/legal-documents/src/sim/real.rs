//! Real documents of the dataset, with their published numbers, abstracts, issuers,
//! signers and dates, and the relations between them. Ids are the simulator's own.

use crate::model::{Relation, Validity};

/// A real document as the table writes it; relations name documents by number.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Known {
    pub(crate) id: u64,
    pub(crate) number: &'static str,
    pub(crate) title: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) issuer: &'static str,
    pub(crate) signer: &'static str,
    /// `dd/MM/yyyy`.
    pub(crate) issued: &'static str,
    /// `dd/MM/yyyy`, when the table records it.
    pub(crate) effective: Option<&'static str>,
    pub(crate) validity: Validity,
    pub(crate) fields: &'static [&'static str],
    /// Outgoing relations: what this document does to the document numbered so.
    pub(crate) related: &'static [(&'static str, Relation)],
}

const IT: &str = "Công nghệ thông tin";
const ADMINISTRATION: &str = "Bộ máy hành chính";
const GOVERNMENT_ACT: &str = "76/2015/QH13";
const IT_ACT: &str = "67/2006/QH11";
const E_TRANSACTIONS_ACT: &str = "51/2005/QH11";
const IT_DECREE: &str = "64/2007/NĐ-CP";
const ONE_STOP_DECREE: &str = "61/2018/NĐ-CP";

/// The real documents, oldest first.
pub(crate) const KNOWN: [Known; 14] = [
    Known {
        id: 18925,
        number: E_TRANSACTIONS_ACT,
        title: "Luật Giao dịch điện tử",
        kind: "Luật",
        issuer: "Quốc hội",
        signer: "Nguyễn Văn An",
        issued: "29/11/2005",
        effective: Some("01/03/2006"),
        validity: Validity::Expired,
        fields: &[IT, "Thương mại"],
        related: &[],
    },
    Known {
        id: 21456,
        number: IT_ACT,
        title: "Luật Công nghệ thông tin",
        kind: "Luật",
        issuer: "Quốc hội",
        signer: "Nguyễn Phú Trọng",
        issued: "29/06/2006",
        effective: Some("01/01/2007"),
        validity: Validity::InForce,
        fields: &[IT],
        related: &[],
    },
    Known {
        id: 23170,
        number: IT_DECREE,
        title: "Về ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước",
        kind: "Nghị định",
        issuer: "Chính phủ",
        signer: "Nguyễn Tấn Dũng",
        issued: "10/04/2007",
        effective: None,
        validity: Validity::PartiallyExpired,
        fields: &[IT],
        related: &[(IT_ACT, Relation::BasedOn)],
    },
    Known {
        id: 74802,
        number: "392/QĐ-TTg",
        title: "Phê duyệt Chương trình mục tiêu phát triển ngành công nghiệp công nghệ thông \
                tin đến năm 2020, tầm nhìn đến năm 2025",
        kind: "Quyết định",
        issuer: "Thủ tướng Chính phủ",
        signer: "Vũ Đức Đam",
        issued: "27/03/2015",
        effective: Some("27/03/2015"),
        validity: Validity::Expired,
        fields: &[IT],
        related: &[(IT_ACT, Relation::BasedOn)],
    },
    Known {
        id: 70813,
        number: GOVERNMENT_ACT,
        title: "Luật Tổ chức Chính phủ",
        kind: "Luật",
        issuer: "Quốc hội",
        signer: "Nguyễn Sinh Hùng",
        issued: "19/06/2015",
        effective: Some("01/01/2016"),
        validity: Validity::Expired,
        fields: &[ADMINISTRATION],
        related: &[],
    },
    Known {
        id: 89315,
        number: "1819/QĐ-TTg",
        title: "Phê duyệt Chương trình quốc gia về ứng dụng công nghệ thông tin trong hoạt \
                động của cơ quan nhà nước giai đoạn 2016 - 2020",
        kind: "Quyết định",
        issuer: "Thủ tướng Chính phủ",
        signer: "Nguyễn Tấn Dũng",
        issued: "26/10/2015",
        effective: Some("26/10/2015"),
        validity: Validity::InForce,
        fields: &[IT],
        related: &[(IT_ACT, Relation::BasedOn), (IT_DECREE, Relation::BasedOn)],
    },
    Known {
        id: 154321,
        number: "13/2017/TT-BTTTT",
        title: "Quy định các yêu cầu kỹ thuật về kết nối các hệ thống thông tin, cơ sở dữ \
                liệu với cơ sở dữ liệu quốc gia",
        kind: "Thông tư",
        issuer: "Bộ Thông tin và Truyền thông",
        signer: "Trương Minh Tuấn",
        issued: "23/06/2017",
        effective: Some("10/08/2017"),
        validity: Validity::InForce,
        fields: &[IT],
        related: &[(IT_ACT, Relation::BasedOn), (IT_DECREE, Relation::BasedOn)],
    },
    Known {
        id: 160712,
        number: "39/2017/TT-BTTTT",
        title: "Ban hành Danh mục tiêu chuẩn kỹ thuật về ứng dụng công nghệ thông tin trong \
                cơ quan nhà nước",
        kind: "Thông tư",
        issuer: "Bộ Thông tin và Truyền thông",
        signer: "Trương Minh Tuấn",
        issued: "15/12/2017",
        effective: Some("01/02/2018"),
        validity: Validity::InForce,
        fields: &[IT],
        related: &[(IT_ACT, Relation::BasedOn), (IT_DECREE, Relation::BasedOn)],
    },
    Known {
        id: 163562,
        number: ONE_STOP_DECREE,
        title: "Về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành \
                chính",
        kind: "Nghị định",
        issuer: "Chính phủ",
        signer: "Nguyễn Xuân Phúc",
        issued: "23/04/2018",
        effective: Some("21/06/2018"),
        validity: Validity::PartiallyExpired,
        fields: &[ADMINISTRATION],
        related: &[(GOVERNMENT_ACT, Relation::BasedOn)],
    },
    Known {
        id: 171305,
        number: "01/2018/TT-VPCP",
        title: "Hướng dẫn thi hành một số quy định của Nghị định số 61/2018/NĐ-CP ngày 23 \
                tháng 4 năm 2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên \
                thông trong giải quyết thủ tục hành chính",
        kind: "Thông tư",
        issuer: "Văn phòng Chính phủ",
        signer: "Mai Tiến Dũng",
        issued: "23/11/2018",
        effective: Some("08/01/2019"),
        validity: Validity::InForce,
        fields: &[ADMINISTRATION],
        related: &[(ONE_STOP_DECREE, Relation::Guides)],
    },
    Known {
        id: 184567,
        number: "45/2020/NĐ-CP",
        title: "Về thực hiện thủ tục hành chính trên môi trường điện tử",
        kind: "Nghị định",
        issuer: "Chính phủ",
        signer: "Nguyễn Xuân Phúc",
        issued: "08/04/2020",
        effective: Some("22/05/2020"),
        validity: Validity::InForce,
        fields: &[ADMINISTRATION, IT],
        related: &[
            (GOVERNMENT_ACT, Relation::BasedOn),
            (E_TRANSACTIONS_ACT, Relation::BasedOn),
            (IT_ACT, Relation::BasedOn),
        ],
    },
    Known {
        id: 184612,
        number: "47/2020/NĐ-CP",
        title: "Về quản lý, kết nối và chia sẻ dữ liệu số của cơ quan nhà nước",
        kind: "Nghị định",
        issuer: "Chính phủ",
        signer: "Nguyễn Xuân Phúc",
        issued: "09/04/2020",
        effective: Some("25/05/2020"),
        validity: Validity::InForce,
        fields: &[IT],
        related: &[
            (GOVERNMENT_ACT, Relation::BasedOn),
            (IT_ACT, Relation::BasedOn),
            (E_TRANSACTIONS_ACT, Relation::BasedOn),
        ],
    },
    Known {
        id: 196213,
        number: "107/2021/NĐ-CP",
        title: "Sửa đổi, bổ sung một số điều của Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 \
                năm 2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên thông trong \
                giải quyết thủ tục hành chính",
        kind: "Nghị định",
        issuer: "Chính phủ",
        signer: "Phạm Minh Chính",
        issued: "06/12/2021",
        effective: Some("06/12/2021"),
        validity: Validity::InForce,
        fields: &[ADMINISTRATION],
        related: &[
            (ONE_STOP_DECREE, Relation::Amends),
            (GOVERNMENT_ACT, Relation::BasedOn),
        ],
    },
    Known {
        id: 208341,
        number: "13/2023/NĐ-CP",
        title: "Bảo vệ dữ liệu cá nhân",
        kind: "Nghị định",
        issuer: "Chính phủ",
        signer: "Trần Lưu Quang",
        issued: "17/04/2023",
        effective: Some("01/07/2023"),
        validity: Validity::InForce,
        fields: &[IT],
        related: &[(GOVERNMENT_ACT, Relation::BasedOn)],
    },
];
