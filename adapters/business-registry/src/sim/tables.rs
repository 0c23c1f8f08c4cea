//! Reference tables the simulated registry draws from: legal forms, status labels, VSIC
//! business lines, communes and wards of Tiền Giang, and the parts of names.
//!
//! Order matters: the generator indexes these tables, so appending is safe and reordering
//! changes the dataset.

use crate::model::LegalStatus;

/// Province code of Tiền Giang.
pub(crate) const PROVINCE_CODE: &str = "82";
/// Province name as the registry writes it.
pub(crate) const PROVINCE_NAME: &str = "Tỉnh Tiền Giang";

/// A legal form (`MaLoaiHinhDN`, `LoaiHinhDN`) and how names of that form are written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct LegalForm {
    pub(crate) code: &'static str,
    pub(crate) label: &'static str,
    /// Start of the Vietnamese name.
    pub(crate) prefix: &'static str,
    /// End of the English name.
    pub(crate) suffix_en: &'static str,
    /// End of the abbreviated name, for forms that register one.
    pub(crate) suffix_short: Option<&'static str>,
    /// Titles of its legal representatives, the usual one first.
    pub(crate) titles: &'static [&'static str],
}

const fn form(
    code: &'static str,
    label: &'static str,
    prefix: &'static str,
    suffix_en: &'static str,
    suffix_short: Option<&'static str>,
    titles: &'static [&'static str],
) -> LegalForm {
    LegalForm {
        code,
        label,
        prefix,
        suffix_en,
        suffix_short,
        titles,
    }
}

pub(crate) const PRIVATE: LegalForm = form(
    "01",
    "Doanh nghiệp tư nhân",
    "Doanh nghiệp tư nhân",
    "Private Enterprise",
    None,
    &["Chủ doanh nghiệp"],
);
pub(crate) const SINGLE_MEMBER_LLC: LegalForm = form(
    "02",
    "Công ty trách nhiệm hữu hạn một thành viên",
    "Công ty TNHH Một thành viên",
    "One Member Company Limited",
    Some("CO., LTD"),
    &["Giám đốc", "Chủ tịch Công ty"],
);
pub(crate) const LLC: LegalForm = form(
    "03",
    "Công ty trách nhiệm hữu hạn hai thành viên trở lên",
    "Công ty TNHH",
    "Company Limited",
    Some("CO., LTD"),
    &["Giám đốc", "Chủ tịch Hội đồng thành viên"],
);
pub(crate) const JOINT_STOCK: LegalForm = form(
    "04",
    "Công ty cổ phần",
    "Công ty Cổ phần",
    "Joint Stock Company",
    Some("JSC"),
    &["Tổng Giám đốc", "Chủ tịch Hội đồng quản trị"],
);
pub(crate) const PARTNERSHIP: LegalForm = form(
    "05",
    "Công ty hợp danh",
    "Công ty Hợp danh",
    "Partnership",
    None,
    &["Thành viên hợp danh"],
);
pub(crate) const COOPERATIVE: LegalForm = form(
    "06",
    "Hợp tác xã",
    "Hợp tác xã",
    "Cooperative",
    None,
    &["Giám đốc", "Chủ tịch Hội đồng quản trị"],
);
pub(crate) const BRANCH: LegalForm = form(
    "07",
    "Chi nhánh",
    "Chi nhánh",
    "Branch",
    None,
    &["Giám đốc chi nhánh"],
);

/// Legal forms of generated enterprises with their weight (out of 100).
pub(crate) const FORMS: &[(&LegalForm, u64)] = &[
    (&PRIVATE, 10),
    (&SINGLE_MEMBER_LLC, 30),
    (&LLC, 25),
    (&JOINT_STOCK, 20),
    (&PARTNERSHIP, 2),
    (&COOPERATIVE, 13),
];

/// Legal statuses of generated enterprises with their weight (out of 100).
pub(crate) const STATUSES: &[(LegalStatus, u64)] = &[
    (LegalStatus::Active, 82),
    (LegalStatus::Suspended, 6),
    (LegalStatus::Dissolving, 3),
    (LegalStatus::Dissolved, 4),
    (LegalStatus::Revoked, 2),
    (LegalStatus::NotAtAddress, 3),
];

/// Label the registry gives each legal status.
pub(crate) fn status_label(status: LegalStatus) -> &'static str {
    match status {
        LegalStatus::Active => "Đang hoạt động",
        LegalStatus::Suspended => "Tạm ngừng kinh doanh có thời hạn",
        LegalStatus::Dissolving => "Đang làm thủ tục giải thể",
        LegalStatus::Dissolved => "Đã giải thể",
        LegalStatus::Revoked => "Bị thu hồi Giấy chứng nhận đăng ký doanh nghiệp",
        LegalStatus::NotAtAddress => "Không còn hoạt động kinh doanh tại địa chỉ đã đăng ký",
    }
}

/// Reasons given for a suspension.
pub(crate) const SUSPENSION_REASONS: &[&str] = &[
    "Khó khăn về tài chính",
    "Sửa chữa, nâng cấp nhà xưởng",
    "Tái cơ cấu hoạt động kinh doanh",
    "Thiếu nguyên liệu sản xuất",
    "Chủ doanh nghiệp đi nước ngoài",
];

/// A VSIC 2018 level-4 business line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Activity {
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
}

const fn activity(code: &'static str, name: &'static str) -> Activity {
    Activity { code, name }
}

/// Business lines (Hệ thống ngành kinh tế Việt Nam 2018, level 4).
pub(crate) const VSIC: &[Activity] = &[
    activity("0111", "Trồng lúa"),
    activity("0118", "Trồng rau, đậu các loại và trồng hoa"),
    activity("0121", "Trồng cây ăn quả"),
    activity("0145", "Chăn nuôi lợn và sản xuất giống lợn"),
    activity("0322", "Nuôi trồng thủy sản nội địa"),
    activity(
        "1020",
        "Chế biến, bảo quản thủy sản và các sản phẩm từ thủy sản",
    ),
    activity("1030", "Chế biến và bảo quản rau quả"),
    activity("1061", "Xay xát và sản xuất bột thô"),
    activity("1079", "Sản xuất thực phẩm khác chưa được phân vào đâu"),
    activity("1410", "May trang phục (trừ trang phục từ da lông thú)"),
    activity("1610", "Cưa, xẻ, bào gỗ và bảo quản gỗ"),
    activity("2220", "Sản xuất sản phẩm từ plastic"),
    activity("2592", "Gia công cơ khí; xử lý và tráng phủ kim loại"),
    activity("3011", "Đóng tàu và cấu kiện nổi"),
    activity("4101", "Xây dựng nhà để ở"),
    activity("4102", "Xây dựng nhà không để ở"),
    activity("4212", "Xây dựng công trình đường bộ"),
    activity("4321", "Lắp đặt hệ thống điện"),
    activity("4520", "Bảo dưỡng, sửa chữa ô tô và xe có động cơ khác"),
    activity(
        "4620",
        "Bán buôn nông, lâm sản nguyên liệu (trừ gỗ, tre, nứa) và động vật sống",
    ),
    activity("4632", "Bán buôn thực phẩm"),
    activity("4641", "Bán buôn vải, hàng may sẵn, giày dép"),
    activity(
        "4663",
        "Bán buôn vật liệu, thiết bị lắp đặt khác trong xây dựng",
    ),
    activity(
        "4711",
        "Bán lẻ lương thực, thực phẩm, đồ uống, thuốc lá, thuốc lào chiếm tỷ trọng lớn trong các cửa hàng kinh doanh tổng hợp",
    ),
    activity(
        "4730",
        "Bán lẻ nhiên liệu động cơ trong các cửa hàng chuyên doanh",
    ),
    activity("4933", "Vận tải hàng hóa bằng đường bộ"),
    activity("5022", "Vận tải hàng hóa đường thủy nội địa"),
    activity("5210", "Kho bãi và lưu giữ hàng hóa"),
    activity("5510", "Dịch vụ lưu trú ngắn ngày"),
    activity("5610", "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động"),
    activity("6201", "Lập trình máy vi tính"),
    activity(
        "6810",
        "Kinh doanh bất động sản, quyền sử dụng đất thuộc chủ sở hữu, chủ sử dụng hoặc đi thuê",
    ),
    activity(
        "7110",
        "Hoạt động kiến trúc và tư vấn kỹ thuật có liên quan",
    ),
    activity("7912", "Điều hành tua du lịch"),
    activity(
        "8299",
        "Hoạt động dịch vụ hỗ trợ kinh doanh khác còn lại chưa được phân vào đâu",
    ),
];

/// The VSIC entry of `code`, if the table has it.
pub(crate) fn vsic(code: &str) -> Option<&'static Activity> {
    VSIC.iter().find(|a| a.code == code)
}

/// A trade named in enterprise names, with the business lines it usually registers
/// (the first is the main one).
#[derive(Debug)]
pub(crate) struct Trade {
    pub(crate) vi: &'static str,
    pub(crate) en: &'static str,
    pub(crate) lines: &'static [&'static str],
    /// Whether cooperatives work in this trade.
    pub(crate) cooperative: bool,
}

const fn trade(
    vi: &'static str,
    en: &'static str,
    lines: &'static [&'static str],
    cooperative: bool,
) -> Trade {
    Trade {
        vi,
        en,
        lines,
        cooperative,
    }
}

pub(crate) const TRADES: &[Trade] = &[
    trade(
        "Thương mại Dịch vụ",
        "Trading and Services",
        &["4632", "4620", "8299"],
        false,
    ),
    trade(
        "Xuất nhập khẩu Nông sản",
        "Agricultural Import Export",
        &["4620", "1030", "5210"],
        false,
    ),
    trade(
        "Chế biến Thủy sản",
        "Seafood Processing",
        &["1020", "4632", "5210"],
        false,
    ),
    trade(
        "Xây dựng",
        "Construction",
        &["4101", "4102", "4212", "4663"],
        false,
    ),
    trade("Vận tải", "Transport", &["4933", "5022", "5210"], true),
    trade(
        "Cơ khí",
        "Mechanical Engineering",
        &["2592", "4520", "3011"],
        false,
    ),
    trade(
        "Chế biến Trái cây",
        "Fruit Processing",
        &["1030", "4620"],
        false,
    ),
    trade("Du lịch", "Tourism", &["7912", "5510", "5610"], false),
    trade("Xăng dầu", "Petroleum", &["4730", "4933"], false),
    trade("May mặc", "Garment", &["1410", "4641"], false),
    trade(
        "Nông nghiệp",
        "Agriculture",
        &["0111", "0121", "0118"],
        true,
    ),
    trade("Chăn nuôi", "Livestock", &["0145", "4620"], true),
    trade("Thủy sản", "Aquaculture", &["0322", "1020"], true),
    trade(
        "Lương thực",
        "Food Staples",
        &["1061", "4620", "4711"],
        true,
    ),
    trade("Tin học", "Informatics", &["6201"], false),
    trade("Bất động sản", "Real Estate", &["6810"], false),
    trade(
        "Tư vấn Thiết kế",
        "Design Consultancy",
        &["7110", "4321"],
        false,
    ),
    trade("Chế biến Gỗ", "Wood Processing", &["1610"], false),
    trade("Nhựa", "Plastics", &["2220"], false),
    trade("Thực phẩm", "Foods", &["1079", "4632", "4711"], false),
    trade("Nhà hàng", "Restaurant", &["5610", "5510"], false),
];

/// Words of brand names, Vietnamese and unaccented.
pub(crate) const BRAND_FIRST: &[(&str, &str)] = &[
    ("Phú", "Phu"),
    ("Tân", "Tan"),
    ("Minh", "Minh"),
    ("Thành", "Thanh"),
    ("Hoàng", "Hoang"),
    ("Gia", "Gia"),
    ("Thiên", "Thien"),
    ("Đại", "Dai"),
    ("Kim", "Kim"),
    ("Vĩnh", "Vinh"),
    ("Hưng", "Hung"),
    ("Nam", "Nam"),
    ("Bảo", "Bao"),
    ("Đức", "Duc"),
    ("Quang", "Quang"),
    ("Trường", "Truong"),
    ("Hải", "Hai"),
    ("Thanh", "Thanh"),
    ("Ngọc", "Ngoc"),
    ("Phước", "Phuoc"),
];

/// Second words of brand names.
pub(crate) const BRAND_SECOND: &[(&str, &str)] = &[
    ("Thịnh", "Thinh"),
    ("Phát", "Phat"),
    ("Khang", "Khang"),
    ("Đạt", "Dat"),
    ("Long", "Long"),
    ("Lộc", "Loc"),
    ("Hưng", "Hung"),
    ("Thành", "Thanh"),
    ("An", "An"),
    ("Hòa", "Hoa"),
    ("Vinh", "Vinh"),
    ("Tín", "Tin"),
    ("Nguyên", "Nguyen"),
    ("Mỹ", "My"),
    ("Sơn", "Son"),
    ("Phúc", "Phuc"),
    ("Huy", "Huy"),
    ("Tiến", "Tien"),
    ("Quý", "Quy"),
    ("Lợi", "Loi"),
];

/// Place names used as brands.
pub(crate) const PLACE_BRANDS: &[(&str, &str)] = &[
    ("Mekong", "Mekong"),
    ("Cửu Long", "Cuu Long"),
    ("Mỹ Tho", "My Tho"),
    ("Gò Công", "Go Cong"),
    ("Cái Bè", "Cai Be"),
    ("Tiền Giang", "Tien Giang"),
    ("Chợ Gạo", "Cho Gao"),
    ("Tân Phước", "Tan Phuoc"),
];

/// Family names.
pub(crate) const FAMILY_NAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý", "Trương", "Đoàn", "Lâm", "Châu", "Mai",
];

/// Middle names of men.
pub(crate) const MIDDLE_MALE: &[&str] = &[
    "Văn", "Hữu", "Minh", "Quốc", "Đức", "Thanh", "Hoàng", "Công",
];
/// Middle names of women.
pub(crate) const MIDDLE_FEMALE: &[&str] = &["Thị", "Ngọc", "Thị Kim", "Thanh", "Thị Mỹ", "Hồng"];
/// Given names of men.
pub(crate) const GIVEN_MALE: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn",
    "Tâm", "Thắng", "Trung", "Tuấn", "Vinh", "Toàn", "Hiếu", "Lộc",
];
/// Given names of women.
pub(crate) const GIVEN_FEMALE: &[&str] = &[
    "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Nga", "Phương", "Thảo", "Trang", "Vy", "Yến",
    "Hân", "Ngân", "Nhung", "Tuyết", "Diễm", "Oanh",
];

/// Foreign legal representatives: name, nationality.
pub(crate) const FOREIGNERS: &[(&str, &str)] = &[
    ("KIM MIN JUN", "Hàn Quốc"),
    ("PARK JI HOON", "Hàn Quốc"),
    ("TANAKA HIROSHI", "Nhật Bản"),
    ("SATO YUKI", "Nhật Bản"),
    ("LIN CHIA HAO", "Trung Quốc"),
    ("DAVID NGUYEN", "Hoa Kỳ"),
];

/// A commune or ward (`MaXa`, `TenXa`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Commune {
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
}

const fn commune(code: &'static str, name: &'static str) -> Commune {
    Commune { code, name }
}

/// Wards and communes of Mỹ Tho, Tiền Giang.
pub(crate) const COMMUNES: &[Commune] = &[
    commune("28249", "Phường 5"),
    commune("28252", "Phường 4"),
    commune("28255", "Phường 7"),
    commune("28258", "Phường 3"),
    commune("28261", "Phường 1"),
    commune("28264", "Phường 2"),
    commune("28267", "Phường 8"),
    commune("28270", "Phường 6"),
    commune("28273", "Phường 9"),
    commune("28276", "Phường 10"),
    commune("28279", "Phường Tân Long"),
    commune("28282", "Xã Đạo Thạnh"),
    commune("28285", "Xã Trung An"),
    commune("28288", "Xã Mỹ Phong"),
    commune("28291", "Xã Tân Mỹ Chánh"),
    commune("28567", "Xã Phước Thạnh"),
    commune("28591", "Xã Thới Sơn"),
];

/// Streets of head offices.
pub(crate) const STREETS: &[&str] = &[
    "đường Ấp Bắc",
    "đường Lê Lợi",
    "đường Hùng Vương",
    "đường Nguyễn Trãi",
    "đường Trưng Trắc",
    "đường Lý Thường Kiệt",
    "đường Đinh Bộ Lĩnh",
    "đường Nam Kỳ Khởi Nghĩa",
    "đường Rạch Gầm",
    "đường Học Lạc",
    "đường Lê Văn Phẩm",
    "đường Trần Hưng Đạo",
    "Quốc lộ 1A",
    "Quốc lộ 50",
    "Quốc lộ 60",
];

/// Identity documents: kind and issuing authority.
pub(crate) const CITIZEN_ID: (&str, &str) = (
    "Căn cước công dân",
    "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
);
/// Identity cards issued from 1 July 2024.
pub(crate) const IDENTITY_CARD: (&str, &str) = ("Căn cước", "Bộ Công an");
/// Passport of a foreign national.
pub(crate) const PASSPORT: &str = "Hộ chiếu";
