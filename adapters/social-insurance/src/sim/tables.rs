//! Reference tables the simulated partner draws from: health facilities of Tiền Giang,
//! places, trades and the parts of Vietnamese names.
//!
//! Order matters: the generator indexes these tables, so appending is safe and reordering
//! changes the dataset.

/// Province code of Tiền Giang (digits 4–5 of a card number).
pub(crate) const PROVINCE_CODE: &str = "82";

/// A primary-care facility (nơi đăng ký khám chữa bệnh ban đầu).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Facility {
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
}

const fn facility(code: &'static str, name: &'static str) -> Facility {
    Facility { code, name }
}

/// Facilities of Tiền Giang; the first is the provincial general hospital.
pub(crate) const FACILITIES: &[Facility] = &[
    facility("82001", "Bệnh viện Đa khoa Trung tâm Tiền Giang"),
    facility("82002", "Bệnh viện Đa khoa khu vực Cai Lậy"),
    facility("82003", "Bệnh viện Đa khoa khu vực Gò Công"),
    facility("82004", "Bệnh viện Y học cổ truyền Tiền Giang"),
    facility("82005", "Bệnh viện Quân Dân Y tỉnh Tiền Giang"),
    facility("82011", "Trung tâm Y tế thành phố Mỹ Tho"),
    facility("82012", "Trung tâm Y tế huyện Châu Thành"),
    facility("82013", "Trung tâm Y tế huyện Chợ Gạo"),
    facility("82014", "Trung tâm Y tế huyện Cái Bè"),
    facility("82015", "Trung tâm Y tế huyện Cai Lậy"),
    facility("82016", "Trung tâm Y tế huyện Tân Phước"),
    facility("82017", "Trung tâm Y tế huyện Gò Công Tây"),
    facility("82018", "Trung tâm Y tế huyện Gò Công Đông"),
    facility("82019", "Trung tâm Y tế huyện Tân Phú Đông"),
    facility("82020", "Trung tâm Y tế thị xã Gò Công"),
    facility("82021", "Trung tâm Y tế thị xã Cai Lậy"),
    facility("82101", "Phòng khám Đa khoa khu vực Vĩnh Kim"),
    facility("82102", "Phòng khám Đa khoa khu vực Mỹ Phước Tây"),
];

/// Communes of the province, for public bodies named after one.
pub(crate) const COMMUNES: &[&str] = &[
    "Tân Hiệp",
    "Vĩnh Kim",
    "Long Định",
    "Tân Hương",
    "Trung An",
    "Bình Đức",
    "Thạnh Phú",
    "Mỹ Phong",
    "Đạo Thạnh",
    "Hòa Khánh",
    "Long Hưng",
    "Mỹ Đức Tây",
    "Tân Thới",
    "Vàm Láng",
    "Phú Kiết",
    "Song Thuận",
    "Kim Sơn",
    "Bình Phục Nhứt",
];

/// Kinds of public bodies and cooperatives, followed by a commune, with the card group
/// of the people they employ (`HC` public servants, `DN` other employees).
pub(crate) const PUBLIC_BODIES: &[(&str, &str)] = &[
    ("Ủy ban nhân dân xã", "HC"),
    ("Trường Tiểu học", "HC"),
    ("Trường Trung học cơ sở", "HC"),
    ("Trạm Y tế xã", "HC"),
    ("Hợp tác xã Nông nghiệp", "DN"),
    ("Quỹ Tín dụng nhân dân", "DN"),
];

/// Legal forms of companies, as the start of their name.
pub(crate) const COMPANY_FORMS: &[&str] = &[
    "Công ty TNHH",
    "Công ty TNHH Một thành viên",
    "Công ty Cổ phần",
    "Doanh nghiệp tư nhân",
];

/// Trades of companies in the province.
pub(crate) const TRADES: &[&str] = &[
    "Chế biến Thủy sản",
    "May mặc",
    "Giày da",
    "Chế biến Trái cây",
    "Xay xát Lương thực",
    "Vật liệu Xây dựng",
    "Vận tải",
    "Thương mại Dịch vụ",
    "Cơ khí",
    "Điện tử",
    "Xây dựng",
    "Thức ăn Chăn nuôi",
    "Bao bì",
    "Đóng tàu",
    "Dược phẩm",
];

/// Brands that end company names.
pub(crate) const BRANDS: &[&str] = &[
    "Tiền Giang",
    "Mekong",
    "Long Giang",
    "Mỹ Tho",
    "Sông Tiền",
    "Phương Nam",
    "Tân Hương",
    "Hoàng Long",
    "Thành Công",
    "Phú Thịnh",
    "Đại Phát",
    "An Khang",
    "Bảo Minh",
    "Việt Thắng",
    "Hưng Phát",
    "Gò Công",
];

/// Family names, the common ones first.
pub(crate) const FAMILY_NAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô",
    "Hồ", "Dương", "Đoàn", "Lâm", "Mai", "Lý", "Châu", "Cao", "Tô", "Hoàng", "Thái", "Lương",
    "Quách",
];

/// Middle names of men.
pub(crate) const MIDDLE_MALE: &[&str] = &[
    "Văn", "Văn", "Hữu", "Minh", "Quốc", "Thanh", "Công", "Đức", "Hoàng", "Tấn", "Thành", "Ngọc",
    "Phước",
];

/// Middle names of women.
pub(crate) const MIDDLE_FEMALE: &[&str] = &[
    "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích", "Hồng", "Phương", "Thùy",
];

/// Given names of men.
pub(crate) const GIVEN_MALE: &[&str] = &[
    "An", "Bảo", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khang", "Khoa", "Lộc", "Long",
    "Minh", "Nam", "Nghĩa", "Phát", "Phúc", "Quang", "Sang", "Tài", "Tâm", "Thắng", "Thịnh",
    "Toàn", "Trí", "Trung", "Tuấn", "Vinh", "Hòa", "Sơn", "Tú", "Lợi",
];

/// Given names of women.
pub(crate) const GIVEN_FEMALE: &[&str] = &[
    "Anh",
    "Bình",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quyên",
    "Thảo",
    "Trang",
    "Trinh",
    "Tuyết",
    "Uyên",
    "Vân",
    "Xuân",
    "Yến",
    "Diễm",
    "Nhi",
    "Thư",
];
