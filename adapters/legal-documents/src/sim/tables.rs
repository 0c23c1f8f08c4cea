//! Reference tables the generator draws from: issuing bodies with their document types
//! and number symbols, subjects with their field of law, and the parts of signers' names.
//!
//! Order matters: the generator indexes these tables, so appending is safe and reordering
//! changes the dataset.

/// Province whose local documents the dataset holds.
pub(crate) const PROVINCE: &str = "Tiền Giang";

// Fields of law (`linhVuc`).
const IT: &str = "Công nghệ thông tin";
const ARCHIVES: &str = "Văn thư - Lưu trữ";
const ADMINISTRATION: &str = "Bộ máy hành chính";
const CIVIL_SERVICE: &str = "Cán bộ, công chức, viên chức";
const PUBLIC_FINANCE: &str = "Tài chính nhà nước";
const FEES: &str = "Thuế - Phí - Lệ phí";
const LAND: &str = "Đất đai";
const CONSTRUCTION: &str = "Xây dựng - Đô thị";
const TRANSPORT: &str = "Giao thông - Vận tải";
const ENVIRONMENT: &str = "Tài nguyên - Môi trường";
const AGRICULTURE: &str = "Nông nghiệp";
const FISHERIES: &str = "Thủy sản";
const HEALTH: &str = "Y tế";
const EDUCATION: &str = "Giáo dục";
const LABOUR: &str = "Lao động - Xã hội";
const ENTERPRISES: &str = "Doanh nghiệp";
const TRADE: &str = "Thương mại";
const CULTURE: &str = "Văn hóa - Xã hội";
const AWARDS: &str = "Thi đua - Khen thưởng";
const COMPLAINTS: &str = "Khiếu nại - Tố cáo";
const JUSTICE: &str = "Tư pháp";
const PUBLIC_ORDER: &str = "An ninh - Trật tự";

/// An issuing body and the kind of document it issues.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Issuer {
    /// Name as the partner writes it (`coQuanBanHanh`).
    pub(crate) name: &'static str,
    /// Document type (`loaiVanBan`).
    pub(crate) kind: &'static str,
    /// Symbol after the number and year (`NĐ-CP`, `TT-BTC`, `QĐ-UBND`, ...).
    pub(crate) symbol: &'static str,
    /// Title patterns; `{}` stands for the subject.
    pub(crate) patterns: &'static [&'static str],
    /// Whether it is a body of the province (place name and bases differ).
    pub(crate) local: bool,
    /// Fields of law it regulates; empty means any.
    pub(crate) fields: &'static [&'static str],
    /// Relative frequency in the dataset.
    pub(crate) weight: u64,
}

const DECREE: &[&str] = &["Quy định về {}", "Quy định chi tiết về {}"];
const CIRCULAR: &[&str] = &["Hướng dẫn về {}", "Quy định chi tiết về {}"];
const PM_DECISION: &[&str] = &["Ban hành Quy định về {}", "Quy định về {}"];
const LOCAL_DECISION: &[&str] = &[
    "Ban hành Quy định về {} trên địa bàn tỉnh Tiền Giang",
    "Quy định về {} trên địa bàn tỉnh Tiền Giang",
];
const LOCAL_RESOLUTION: &[&str] = &["Quy định về {} trên địa bàn tỉnh Tiền Giang"];

const fn issuer(
    name: &'static str,
    kind: &'static str,
    symbol: &'static str,
    patterns: &'static [&'static str],
    local: bool,
    weight: u64,
) -> Issuer {
    Issuer {
        name,
        kind,
        symbol,
        patterns,
        local,
        fields: &[],
        weight,
    }
}

/// A ministry issuing circulars on `fields`.
const fn ministry(
    name: &'static str,
    symbol: &'static str,
    fields: &'static [&'static str],
    weight: u64,
) -> Issuer {
    Issuer {
        fields,
        ..issuer(name, CIRCULAR_KIND, symbol, CIRCULAR, false, weight)
    }
}

/// Type of acts of the National Assembly.
pub(crate) const LAW_KIND: &str = "Luật";
/// Type of the Government's decrees.
pub(crate) const DECREE_KIND: &str = "Nghị định";
/// Type of ministerial guidance.
pub(crate) const CIRCULAR_KIND: &str = "Thông tư";

/// Issuing bodies of generated documents.
pub(crate) const ISSUERS: [Issuer; 18] = [
    issuer("Chính phủ", DECREE_KIND, "NĐ-CP", DECREE, false, 14),
    issuer(
        "Thủ tướng Chính phủ",
        "Quyết định",
        "QĐ-TTg",
        PM_DECISION,
        false,
        5,
    ),
    ministry("Bộ Thông tin và Truyền thông", "TT-BTTTT", &[IT], 4),
    ministry("Bộ Tài chính", "TT-BTC", &[PUBLIC_FINANCE, FEES], 4),
    ministry("Bộ Nội vụ", "TT-BNV", &[CIVIL_SERVICE, ARCHIVES, AWARDS], 2),
    ministry("Bộ Tư pháp", "TT-BTP", &[JUSTICE], 2),
    ministry("Bộ Kế hoạch và Đầu tư", "TT-BKHĐT", &[ENTERPRISES], 2),
    ministry("Bộ Y tế", "TT-BYT", &[HEALTH], 2),
    ministry("Bộ Giáo dục và Đào tạo", "TT-BGDĐT", &[EDUCATION], 2),
    ministry(
        "Bộ Tài nguyên và Môi trường",
        "TT-BTNMT",
        &[LAND, ENVIRONMENT],
        2,
    ),
    ministry(
        "Bộ Nông nghiệp và Phát triển nông thôn",
        "TT-BNNPTNT",
        &[AGRICULTURE, FISHERIES],
        2,
    ),
    ministry(
        "Bộ Lao động - Thương binh và Xã hội",
        "TT-BLĐTBXH",
        &[LABOUR],
        2,
    ),
    ministry("Bộ Xây dựng", "TT-BXD", &[CONSTRUCTION], 2),
    ministry("Bộ Giao thông vận tải", "TT-BGTVT", &[TRANSPORT], 1),
    ministry("Bộ Công Thương", "TT-BCT", &[TRADE], 1),
    ministry("Văn phòng Chính phủ", "TT-VPCP", &[ADMINISTRATION], 1),
    issuer(
        "Ủy ban nhân dân tỉnh Tiền Giang",
        "Quyết định",
        "QĐ-UBND",
        LOCAL_DECISION,
        true,
        36,
    ),
    issuer(
        "Hội đồng nhân dân tỉnh Tiền Giang",
        "Nghị quyết",
        "NQ-HĐND",
        LOCAL_RESOLUTION,
        true,
        12,
    ),
];

/// A subject of regulation and its field of law (`linhVuc`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Subject {
    /// Words completing a title pattern.
    pub(crate) words: &'static str,
    /// Field of law.
    pub(crate) field: &'static str,
}

const fn subject(words: &'static str, field: &'static str) -> Subject {
    Subject { words, field }
}

/// Subjects of generated documents.
pub(crate) const SUBJECTS: [Subject; 40] = [
    subject("quản lý, vận hành và khai thác Cổng dịch vụ công", IT),
    subject(
        "bảo đảm an toàn thông tin mạng trong hoạt động của cơ quan nhà nước",
        IT,
    ),
    subject(
        "kết nối, chia sẻ dữ liệu giữa các hệ thống thông tin của cơ quan nhà nước",
        IT,
    ),
    subject("sử dụng chữ ký số trong giao dịch điện tử", IT),
    subject("quản lý, lưu trữ hồ sơ, tài liệu điện tử", ARCHIVES),
    subject(
        "tiếp nhận, giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa liên thông",
        ADMINISTRATION,
    ),
    subject(
        "số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        ADMINISTRATION,
    ),
    subject(
        "đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức",
        CIVIL_SERVICE,
    ),
    subject("tuyển dụng, sử dụng và quản lý công chức", CIVIL_SERVICE),
    subject(
        "quản lý, sử dụng kinh phí chi thường xuyên của ngân sách nhà nước",
        PUBLIC_FINANCE,
    ),
    subject(
        "mức thu, chế độ thu, nộp, quản lý và sử dụng phí, lệ phí",
        FEES,
    ),
    subject(
        "bồi thường, hỗ trợ, tái định cư khi Nhà nước thu hồi đất",
        LAND,
    ),
    subject("bảng giá các loại đất", LAND),
    subject("hạn mức giao đất ở cho hộ gia đình, cá nhân", LAND),
    subject("quản lý chất lượng công trình xây dựng", CONSTRUCTION),
    subject("cấp giấy phép xây dựng", CONSTRUCTION),
    subject(
        "bảo đảm trật tự, an toàn giao thông đường thủy nội địa",
        TRANSPORT,
    ),
    subject("quản lý chất thải rắn sinh hoạt", ENVIRONMENT),
    subject("phòng, chống xâm nhập mặn và sạt lở bờ sông", ENVIRONMENT),
    subject("quản lý, khai thác và bảo vệ tài nguyên nước", ENVIRONMENT),
    subject("hỗ trợ phát triển sản xuất cây ăn trái", AGRICULTURE),
    subject(
        "hỗ trợ liên kết sản xuất và tiêu thụ sản phẩm nông nghiệp",
        AGRICULTURE,
    ),
    subject(
        "khuyến khích phát triển hợp tác xã nông nghiệp",
        AGRICULTURE,
    ),
    subject("quản lý hoạt động khai thác thủy sản", FISHERIES),
    subject("khám bệnh, chữa bệnh bảo hiểm y tế", HEALTH),
    subject("phòng, chống dịch bệnh truyền nhiễm", HEALTH),
    subject(
        "tuyển sinh trung học cơ sở và trung học phổ thông",
        EDUCATION,
    ),
    subject("học phí đối với cơ sở giáo dục công lập", EDUCATION),
    subject("trợ giúp xã hội đối với đối tượng bảo trợ xã hội", LABOUR),
    subject("đào tạo nghề cho lao động nông thôn", LABOUR),
    subject("đăng ký doanh nghiệp và hộ kinh doanh", ENTERPRISES),
    subject("hỗ trợ doanh nghiệp nhỏ và vừa", ENTERPRISES),
    subject("quản lý chợ và phát triển thương mại nông thôn", TRADE),
    subject("hoạt động thương mại điện tử", TRADE),
    subject(
        "bảo vệ và phát huy giá trị di tích lịch sử - văn hóa",
        CULTURE,
    ),
    subject("phát triển du lịch sinh thái, du lịch cộng đồng", CULTURE),
    subject("công tác thi đua, khen thưởng", AWARDS),
    subject("tiếp công dân, giải quyết khiếu nại, tố cáo", COMPLAINTS),
    subject(
        "chứng thực bản sao từ bản chính, chứng thực chữ ký",
        JUSTICE,
    ),
    subject("phòng cháy, chữa cháy và cứu nạn, cứu hộ", PUBLIC_ORDER),
];

/// Family names of generated signers.
pub(crate) const FAMILY_NAMES: [&str; 12] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Đặng", "Bùi", "Đỗ", "Ngô",
];

/// Middle names of generated signers.
pub(crate) const MIDDLE_NAMES: [&str; 10] = [
    "Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Hoàng", "Đức", "Thành",
];

/// Given names of generated signers.
pub(crate) const GIVEN_NAMES: [&str; 16] = [
    "Hùng", "Dũng", "Lan", "Hải", "Phước", "Tâm", "Thắng", "Hòa", "Nhân", "Tín", "Hạnh", "Khải",
    "Vinh", "Trung", "Phúc", "Hiền",
];
