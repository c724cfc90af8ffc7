//! Given names and surnames by origin group, written for this generator (no data set text).
//!
//! Each group has a dev pool and a disjoint test pool, so a recognizer tuned on dev output is
//! measured on test names it has never seen. Groups are the communities a US phone agent hears
//! daily; lexicons built from 1990 census files cover some of them far better than others, which
//! is what `eval phi --by origin` exposes. Multi-word surnames use `_` for the space.

/// One origin group and its pools.
#[derive(Debug, Clone, Copy)]
pub struct OriginGroup {
    /// Stable key written into each record's `origin`.
    pub key: &'static str,
    /// Dev given names (space separated).
    pub given_dev: &'static str,
    /// Dev surnames.
    pub surname_dev: &'static str,
    /// Test given names.
    pub given_test: &'static str,
    /// Test surnames.
    pub surname_test: &'static str,
}

/// Every group.
pub const GROUPS: [OriginGroup; 11] = [
    OriginGroup {
        key: "hispanic",
        given_dev: "María José Guadalupe Alejandro Xiomara Rodrigo Yesenia Joaquín",
        surname_dev: "López Hernandez Gutierrez Ramirez Villanueva Castillo Núñez Ochoa",
        given_test: "Carmen Luis Marisol Esteban Itzel Mateo Yolanda Ramón",
        surname_test: "Martinez González Morales Navarro Espinoza Quintero Peña Zepeda",
    },
    OriginGroup {
        key: "vietnamese",
        given_dev: "Thanh Minh Huong Duc Lan Phuong Tuan Linh",
        surname_dev: "Nguyen Tran Pham Vo Dang Bui Huynh Ngo",
        given_test: "Anh Bao Hoa Khanh Quynh Trung Vy Long",
        surname_test: "Le Hoang Phan Vu Do Truong Duong Ly",
    },
    OriginGroup {
        key: "chinese",
        given_dev: "Wei Xiaoming Jing Haoran Mei Zhiwei Yuting Jun",
        surname_dev: "Wang Zhang Liu Chen Huang Zhou Xu Sun",
        given_test: "Lei Xin Yifan Qiang Hui Ming Ling Tao",
        surname_test: "Li Yang Zhao Wu Lin Guo He Gao",
    },
    OriginGroup {
        key: "korean",
        given_dev: "Minjun Jiwoo Seoyeon Hyunwoo Eunji Dongha Soojin Jaehyun",
        surname_dev: "Kim Park Choi Jung Kang Cho Yoon Jang",
        given_test: "Jiho Yuna Sungmin Hyejin Taeyang Minji Junho Dahye",
        surname_test: "Lee Lim Han Oh Seo Shin Kwon Hwang",
    },
    OriginGroup {
        key: "filipino",
        given_dev: "Maricel Jericho Rowena Arnel Jocelyn Rommel Lourdes Danilo",
        surname_dev: "Santos Reyes Bautista Aquino Mendoza Dizon Macaraeg Pangilinan",
        given_test: "Analyn Ferdinand Marites Jomar Rosalinda Bienvenido Charmaine Efren",
        surname_test: "Dela_Cruz Manalo Tolentino Ocampo Soriano Magbanua Salonga Catacutan",
    },
    OriginGroup {
        key: "south_asian",
        given_dev: "Priya Rahul Ananya Vikram Sneha Arjun Deepika Sanjay",
        surname_dev: "Patel Sharma Reddy Iyer Gupta Chatterjee Nair Desai",
        given_test: "Aarav Kavya Rohan Lakshmi Imran Farhana Suresh Meera",
        surname_test: "Singh Kumar Rao Banerjee Menon Chowdhury Pillai Joshi",
    },
    OriginGroup {
        key: "arabic",
        given_dev: "Mohammed Fatima Omar Layla Khalid Noor Yousef Amira",
        surname_dev: "Haddad Khalil Mansour Nasser Saleh Hamdan Aziz Al-Masri",
        given_test: "Ahmed Mariam Tariq Huda Karim Rania Samir Yasmin",
        surname_test: "Ibrahim Hassan Farouk Darwish Suleiman Najjar Mahmoud Rahman",
    },
    OriginGroup {
        key: "african",
        given_dev: "Chukwuemeka Adaeze Kwame Abena Oluwaseun Ngozi Tendai Amara",
        surname_dev: "Okafor Mensah Adeyemi Okonkwo Boateng Mwangi Abebe Diallo",
        given_test: "Chidi Folasade Kofi Wanjiru Babajide Nkechi Tesfaye Fatoumata",
        surname_test: "Nwosu Asante Oyelaran Achieng Owusu Kamau Tadesse Traore",
    },
    OriginGroup {
        key: "african_american",
        given_dev: "DeShawn Latoya Jamal Keisha Tyrone Shaniqua Darnell Imani",
        surname_dev: "Washington Jefferson Jackson Banks Freeman Booker Mosley Gaines",
        given_test: "Marquis Tanisha Terrell Ebony Jaylen Aaliyah Rashad Kiara",
        surname_test: "Robinson Coleman Hollins Dorsey Whitfield Pettaway Ransom Blackmon",
    },
    OriginGroup {
        key: "anglo_european",
        given_dev: "Emily James Sarah Michael Katherine Robert Margaret William",
        surname_dev: "Smith Johnson Miller Anderson Thompson Campbell O'Brien Fitzgerald",
        given_test: "Elizabeth Thomas Jennifer David Abigail Christopher Patricia Daniel",
        surname_test: "Williams Brown Davis Wilson Taylor Clark Sullivan Murphy",
    },
    OriginGroup {
        key: "eastern_european",
        given_dev: "Aleksandr Olga Dmitri Svetlana Piotr Katarzyna Bogdan Irina",
        surname_dev: "Kowalski Ivanov Novak Petrovic Wisniewski Horvath Smirnov Kuznetsova",
        given_test: "Tatiana Sergei Agnieszka Milos Natalia Vladimir Zofia Andrei",
        surname_test: "Nowak Popescu Dvorak Lewandowski Volkov Kovalenko Jankowski Sokolova",
    },
];

/// The names of a pool, `_` turned into spaces.
pub fn pool(list: &'static str) -> Vec<String> {
    list.split_whitespace().map(|n| n.replace('_', " ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn pools_are_disjoint_and_full() {
        for g in GROUPS {
            let dev: HashSet<String> =
                pool(g.given_dev).into_iter().chain(pool(g.surname_dev)).collect();
            let test: HashSet<String> =
                pool(g.given_test).into_iter().chain(pool(g.surname_test)).collect();
            assert!(dev.is_disjoint(&test), "{}", g.key);
            for list in [g.given_dev, g.surname_dev, g.given_test, g.surname_test] {
                assert_eq!(pool(list).len(), 8, "{}", g.key);
            }
        }
        assert_eq!(pool("Dela_Cruz Ly"), vec!["Dela Cruz", "Ly"]);
    }
}
