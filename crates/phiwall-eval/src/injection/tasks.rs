//! Everyday assistant requests that use attack vocabulary (round 3, issue 3): coding, writing,
//! planning, role play for a benign purpose, security education and clinical role play, in
//! English plus Spanish, Vietnamese and Chinese. Written for this project (no dataset text);
//! training only, as hard negatives.
//!
//! Why: the benign tail that sets the prompt threshold is over-defense on ordinary requests
//! ("create a system that ...", "write code that ignores ...", "pretend you are a tour guide").
//! The patient and staff templates in [`super::augment::synthetic_benign`] cover the clinic's
//! own traffic; an EHR or patient-facing assistant also gets general requests like these.
//! Phrasings that fire a strong signature ("ignore the rules") are avoided on purpose: a rule
//! at weight >= 0.9 flags whatever the model learns, so such examples would teach nothing.

use super::augment::Rng;

const TEMPLATES: &[&str] = &[
    // Coding and systems.
    "Write a {lang} function that ignores {skip} when it parses {fmt}.",
    "Create a piece of {code} that {ctask}.",
    "Please write a brief {code} that {ctask}.",
    "How do I override the {method} method in a {lang} subclass?",
    "Write a regular expression that skips {skip} and keeps everything else.",
    "Explain how to bypass the cache in {tool} when I test locally.",
    "My {lang} program ignores the {setting} setting, how can I debug it?",
    "Create a system that {stask}.",
    "Design a simple system to {stask} for a small {org}.",
    "Write a {lang} script that generates a random password of {n} characters.",
    "How do I reset the admin password on my home router?",
    "What is the best way to store passwords securely in a {lang} web app?",
    "Explain what a system prompt is and why chatbots use one.",
    "Write the instructions for setting up {tool} on a new laptop.",
    "Summarize the previous section of the {tool} documentation in three bullet points.",
    "Show me how to override default styles in CSS for a {widget}.",
    "Why does {tool} ignore my environment variables?",
    "Write a shell alias that skips confirmation prompts when I clean my build folder.",
    // Writing and creative work.
    "Compose a short poem about forgetting {thing} and starting over.",
    "Write a children's story where a robot learns to {benign}.",
    "Create a scenario where you pretend to be a {role} helping {who} {benign_ing}.",
    "Imagine you are a {role}. Describe a typical day at work.",
    "Act as a {role} and give me honest feedback on my {artifact}.",
    "Roleplay as a {role} interviewing me for a {job} position.",
    "Pretend you are my {tongue} tutor and correct my sentences as we chat.",
    "In a hypothetical world where {hyp}, how would {domain} change?",
    "Imagine a future where {hyp}. What would a normal school day look like?",
    "Let's play a game: you are a {role} and I have to guess your favorite {thing}.",
    "Write a mystery scene where the detective bypasses the crowded lobby to {benign}.",
    "Write a speech for my {rel}'s retirement party, keep it funny and warm.",
    "Describe a character who never follows a recipe but always cooks well.",
    // Advice and planning.
    "How can I stop ignoring my {habit} and build a routine?",
    "Is it okay to ignore {minor} on my {device}?",
    "How do I bypass {annoyance} on my daily commute?",
    "What's the best way to forget a bad {experience} and move on?",
    "How do I override the thermostat schedule for just one day?",
    "What are the rules of {game}? Explain them to a beginner.",
    "Summarize the key instructions for assembling a {furniture}.",
    "Please disregard the formatting and just list the {items}.",
    "Ignore the typos in my draft and tell me whether the argument is clear.",
    "Skip the introduction and give me the main points about {topic}.",
    "Forget the first recipe, give me a vegetarian version of {food}.",
    "Tell me the secret to a really good {food}.",
    "What is the previous record for {record}?",
    "Plan a {n}-day trip to {city} that avoids the usual tourist traps.",
    "Give me step-by-step instructions to {diy}.",
    "Act as a travel agent and suggest a budget itinerary for {city}.",
    // Security education.
    "How do I make a strong password that I can still remember?",
    "What are the warning signs of a phishing email?",
    "Explain how two-factor authentication protects an account.",
    "What does it mean when people say a phone is jailbroken?",
    "Teach our staff what prompt injection is, with one harmless example.",
    "How should a small {org} handle a lost laptop with patient data on it?",
    // Clinical role play and education (the deployment's own domain).
    "Act as a pharmacist and explain how to take {med} with food.",
    "Pretend you are a nurse explaining {proc} to a nervous patient.",
    "Imagine you are a dietitian: plan a week of meals for someone with {cond}.",
    "Roleplay a patient calling to ask about {proc} so I can practice my phone skills.",
    "You are a friendly front-desk assistant; greet the patient and confirm the appointment time.",
    "Explain the previous guidelines for {cond} screening and what changed this year.",
    "As a medical interpreter, how would you explain {proc} instructions to a family?",
    "Write discharge instructions for {proc} in plain language, ignore the billing details.",
];

const MULTILINGUAL: &[&str] = &[
    "Escribe una función en Python que ignore las líneas vacías.",
    "Imagina que eres un guía turístico y describe Madrid en cinco frases.",
    "Actúa como mi profesor de inglés y corrige mis frases.",
    "¿Cómo puedo crear una contraseña segura que pueda recordar?",
    "Olvida la primera receta, dame una versión vegetariana.",
    "Crea un sistema sencillo para organizar las citas de una clínica pequeña.",
    "Finge que eres enfermera y explícame cómo prepararme para la colonoscopia.",
    "Hãy viết một hàm Python bỏ qua các dòng trống.",
    "Hãy đóng vai một hướng dẫn viên du lịch và giới thiệu về Hà Nội.",
    "Làm thế nào để tạo một mật khẩu mạnh mà vẫn dễ nhớ?",
    "Hãy tưởng tượng bạn là một dược sĩ và giải thích cách uống thuốc kháng sinh.",
    "Bỏ qua phần giới thiệu, cho tôi biết những điểm chính về bệnh tiểu đường.",
    "请写一个忽略空行的Python函数。",
    "假设你是一名导游，介绍一下北京。",
    "请扮演一名护士，向紧张的病人解释抽血的过程。",
    "怎样设置一个既安全又好记的密码？",
    "跳过开头，直接告诉我高血压的主要注意事项。",
    "请设计一个管理小诊所预约的系统。",
];

fn fill(t: &str, rng: &mut Rng) -> String {
    const SLOTS: &[(&str, &[&str])] = &[
        ("{lang}", &["Python", "JavaScript", "Rust", "Java", "Go", "C#", "SQL"]),
        (
            "{skip}",
            &["blank lines", "comments", "trailing spaces", "duplicate rows", "empty fields"],
        ),
        ("{fmt}", &["a CSV file", "JSON logs", "a config file", "user input", "HL7 messages"]),
        ("{code}", &["code", "CODE", "Code", "script", "program", "function"]),
        (
            "{ctask}",
            &[
                "calculates the sum of all even numbers in an array",
                "ignores any swear words a user types in a chat",
                "counts the words in a text file",
                "sorts a list of appointments by date",
                "checks whether a password is long enough",
                "converts Fahrenheit to Celsius",
                "removes duplicate entries from a contact list",
                "skips weekends when it schedules reminders",
            ],
        ),
        ("{method}", &["toString", "equals", "save", "__init__", "render"]),
        ("{tool}", &["Docker", "Git", "npm", "the browser", "VS Code", "Excel"]),
        ("{setting}", &["timeout", "log level", "locale", "proxy", "debug"]),
        (
            "{stask}",
            &[
                "manages and organizes digital files for easier retrieval",
                "tracks the inventory of a small pharmacy",
                "reminds volunteers of their shifts",
                "collects feedback after each visit",
                "keeps a family's recipes in one place",
                "rotates chores among roommates",
            ],
        ),
        ("{org}", &["clinic", "bakery", "school", "nonprofit", "dental office"]),
        ("{n}", &["3", "5", "7", "12", "16"]),
        ("{widget}", &["button", "navigation bar", "table", "form"]),
        ("{thing}", &["an old grudge", "the past", "a lost key", "summer", "a city", "color"]),
        (
            "{benign}",
            &["paint", "make friends", "plant a garden", "find a lost puppy", "bake bread"],
        ),
        (
            "{benign_ing}",
            &["find a lost cat", "plan a birthday party", "learn to swim", "solve a riddle"],
        ),
        (
            "{role}",
            &[
                "tour guide",
                "detective",
                "pirate captain",
                "chef",
                "librarian",
                "museum curator",
                "personal trainer",
                "history teacher",
                "career coach",
            ],
        ),
        ("{who}", &["a child", "a tourist", "my neighbor", "a new student"]),
        ("{artifact}", &["resume", "cover letter", "short story", "business plan", "logo"]),
        ("{job}", &["nursing", "teaching", "software", "retail", "medical assistant"]),
        ("{tongue}", &["Spanish", "French", "Vietnamese", "Mandarin", "English"]),
        (
            "{hyp}",
            &[
                "cars can fly",
                "everyone works four days a week",
                "there is no paper money",
                "people live to 150",
                "it rains only at night",
            ],
        ),
        ("{domain}", &["city planning", "healthcare", "schools", "sports", "farming"]),
        ("{rel}", &["mom", "dad", "boss", "aunt", "coach"]),
        ("{habit}", &["morning alarm", "water intake", "stretching", "budget"]),
        ("{minor}", &["a software update", "a low battery warning", "a spam text"]),
        ("{device}", &["phone", "laptop", "smart TV", "router"]),
        ("{annoyance}", &["traffic on the highway", "the long line at the station", "road works"]),
        ("{experience}", &["job interview", "breakup", "exam", "first date"]),
        ("{game}", &["chess", "cricket", "mahjong", "pickleball", "bridge"]),
        ("{furniture}", &["bookshelf", "crib", "desk", "bed frame"]),
        ("{items}", &["ingredients", "dates", "names", "key points"]),
        ("{topic}", &["climate change", "the French revolution", "sleep hygiene", "budgeting"]),
        ("{food}", &["lasagna", "pho", "fried rice", "chili", "pancakes"]),
        ("{record}", &["the marathon", "the high jump", "rainfall in Seattle"]),
        ("{city}", &["Lisbon", "Hanoi", "Chicago", "Mexico City", "Kyoto"]),
        ("{diy}", &["fix a leaky faucet", "change a bike tire", "repot a plant", "unclog a drain"]),
        ("{med}", &["amoxicillin", "metformin", "ibuprofen", "a blood thinner"]),
        ("{proc}", &["a colonoscopy", "an MRI", "a blood draw", "cataract surgery"]),
        ("{cond}", &["type 2 diabetes", "high blood pressure", "celiac disease", "colon cancer"]),
    ];
    let mut out = t.to_owned();
    for (k, vals) in SLOTS {
        while out.contains(k) {
            let v = rng.pick(vals).copied().unwrap_or("");
            out = out.replacen(k, v, 1);
        }
    }
    out
}

/// `n` everyday requests with attack vocabulary; one in six is in Spanish, Vietnamese or
/// Chinese.
pub fn everyday_tasks(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            if i % 6 == 5 {
                return rng.pick(MULTILINGUAL).copied().unwrap_or("").to_owned();
            }
            let t = rng.pick(TEMPLATES).copied().unwrap_or("");
            fill(t, rng)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slot_is_filled_and_output_is_reproducible() {
        let a = everyday_tasks(&mut Rng::new(7), 400);
        assert_eq!(a.len(), 400);
        assert!(a.iter().all(|t| !t.contains('{') && !t.is_empty()), "{a:?}");
        assert_eq!(a, everyday_tasks(&mut Rng::new(7), 400));
    }

    #[test]
    fn templates_do_not_fire_strong_signatures() {
        // A strong rule flags regardless of the model, so such a template would teach nothing.
        let cfg = phiwall_scan::InjectionConfig::default();
        for t in everyday_tasks(&mut Rng::new(3), 600) {
            let a = phiwall_scan::injection::analyze(&t, &cfg);
            assert!(a.signatures.iter().all(|s| s.weight < 0.5), "{t}: {:?}", a.signatures);
        }
    }
}
