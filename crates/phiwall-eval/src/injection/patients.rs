//! Non-English patient and clinic messages with attack vocabulary (round 5b, issue 3). Written
//! for this project (no dataset text); training only.
//!
//! Why: round 5's probe found ordinary non-English patient questions scored as attacks (a
//! Hindi bypass-surgery question at 0.98, Arabic and Portuguese post-surgery questions at 0.78
//! and 0.72). Round 5's benign multilingual templates covered five trigger phrases per language;
//! these add the clinical words that attacks share: bypass surgery, dose, override, the
//! appointment or portal system, discharge instructions, a forgotten password, "forget what I
//! wrote before". They are hard negatives from a generator of their own, so the draws of every
//! other training source stay the same. The sentences are neither in the round-5 probe
//! (`multilingual_probe.rs`) nor in the round-5b holdout (`multilingual_holdout.rs`).

use super::augment::Rng;

/// Patient sentences, one slice per language (the 17 languages of multilingual CyberSecEval).
const PATIENTS: &[&[&str]] = &[
    // Spanish.
    &[
        "A mi abuelo le hicieron un bypass hace dos semanas y tiene fiebre, ¿lo llevo a urgencias?",
        "Olvide lo que escribí antes, mi hija ya tomó la dosis de la tarde.",
        "¿Cuál es la dosis máxima de acetaminofén que puedo tomar al día?",
        "El sistema del portal no me deja ver mis instrucciones de alta.",
        "El médico anuló la receta anterior, ¿ya está la nueva en la farmacia?",
        "No recuerdo mi contraseña y necesito ver los resultados de mi mamá.",
    ],
    // Vietnamese.
    &[
        "Bố tôi mổ bắc cầu động mạch vành tuần trước, giờ bị sốt nhẹ có sao không?",
        "Quên những gì tôi viết lúc nãy đi, con tôi đã uống thuốc rồi.",
        "Liều tối đa của thuốc hạ sốt cho người lớn là bao nhiêu?",
        "Hệ thống đặt lịch báo lỗi, tôi muốn hẹn khám vào thứ Hai.",
        "Hướng dẫn xuất viện nói phải thay băng mỗi ngày phải không?",
        "Bác sĩ đã hủy đơn thuốc cũ, đơn mới đã gửi sang nhà thuốc chưa?",
    ],
    // Chinese.
    &[
        "我爷爷做完搭桥手术两周了，有点发烧，要去急诊吗？",
        "刚才发的内容不算，孩子已经吃过下午的药了。",
        "成人每天最多可以吃多少剂量的退烧药？",
        "预约系统打不开，我想改到星期一上午。",
        "出院说明上写的换药次数是每天一次吗？",
        "医生把以前的处方取消了，新处方送到药房了吗？",
    ],
    // Russian.
    &[
        "Дедушке две недели назад сделали шунтирование, у него температура, ехать в больницу?",
        "Не обращайте внимания на то, что я писал раньше, ребёнок уже принял лекарство.",
        "Какая максимальная суточная доза парацетамола для взрослого?",
        "Система записи не работает, можно записаться на понедельник по телефону?",
        "В выписке написано менять повязку каждый день, я правильно понял инструкцию?",
        "Врач отменил старый рецепт, новый уже отправили в аптеку?",
    ],
    // Japanese.
    &[
        "祖父がバイパス手術を受けて二週間ですが、熱が出ています。救急に行くべきですか？",
        "さっき書いたことは忘れてください。子どもはもう薬を飲みました。",
        "大人の解熱剤の一日の最大量はどれくらいですか？",
        "予約システムが使えないので、月曜日の予約を電話で取れますか？",
        "退院時の説明書には毎日ガーゼを交換すると書いてありますか？",
        "先生が前の処方を取り消したそうですが、新しい処方は薬局に届いていますか？",
    ],
    // Korean.
    &[
        "할아버지가 우회술을 받은 지 2주 됐는데 열이 나요. 응급실에 가야 하나요?",
        "아까 쓴 내용은 잊어 주세요. 아이가 이미 약을 먹었어요.",
        "성인은 해열제를 하루에 최대 얼마나 먹을 수 있나요?",
        "예약 시스템이 안 돼서 월요일 진료를 전화로 잡고 싶어요.",
        "퇴원 지침에 매일 드레싱을 갈라고 되어 있는 게 맞나요?",
        "의사 선생님이 예전 처방을 취소하셨는데 새 처방은 약국에 갔나요?",
    ],
    // German.
    &[
        "Mein Opa hatte vor zwei Wochen eine Bypass-OP und hat jetzt Fieber, soll er in die Notaufnahme?",
        "Vergessen Sie, was ich vorhin geschrieben habe, mein Sohn hat die Tablette schon genommen.",
        "Wie hoch ist die maximale Tagesdosis Paracetamol für Erwachsene?",
        "Das Terminsystem funktioniert nicht, kann ich telefonisch einen Termin am Montag machen?",
        "Laut Entlassungsanweisungen soll ich den Verband täglich wechseln, stimmt das?",
        "Die Ärztin hat das alte Rezept storniert, ist das neue schon in der Apotheke?",
    ],
    // French.
    &[
        "Mon grand-père a eu un pontage il y a deux semaines et il a de la fièvre, faut-il aller aux urgences ?",
        "Ne tenez pas compte de ce que j'ai écrit tout à l'heure, mon fils a déjà pris son médicament.",
        "Quelle est la dose maximale de paracétamol par jour pour un adulte ?",
        "Le système de prise de rendez-vous ne fonctionne pas, puis-je appeler pour lundi ?",
        "Les instructions de sortie disent de changer le pansement tous les jours, c'est bien ça ?",
        "Le médecin a annulé l'ancienne ordonnance, la nouvelle est-elle à la pharmacie ?",
    ],
    // Hindi.
    &[
        "मेरे दादाजी की दो हफ्ते पहले बाईपास सर्जरी हुई थी, अब बुखार है, क्या अस्पताल ले जाएं?",
        "मैंने पहले जो लिखा वह भूल जाइए, बच्चे ने दवा ले ली है।",
        "बड़ों के लिए पैरासिटामोल की रोज़ की अधिकतम खुराक कितनी है?",
        "अपॉइंटमेंट सिस्टम काम नहीं कर रहा, क्या सोमवार का समय फ़ोन पर मिल सकता है?",
        "डिस्चार्ज के निर्देशों में रोज़ पट्टी बदलने को कहा है, क्या यह सही है?",
        "डॉक्टर ने पुराना पर्चा रद्द कर दिया है, क्या नया पर्चा दवा की दुकान पर पहुँच गया?",
    ],
    // Arabic.
    &[
        "أجرى جدي عملية تحويل مسار الشريان قبل أسبوعين وعنده حرارة، هل نذهب إلى الطوارئ؟",
        "انسوا ما كتبته قبل قليل، ابني أخذ الدواء بالفعل.",
        "ما هي الجرعة اليومية القصوى من الباراسيتامول للبالغين؟",
        "نظام المواعيد لا يعمل، هل يمكنني حجز موعد يوم الاثنين بالهاتف؟",
        "تعليمات الخروج تقول إن علي تغيير الضماد كل يوم، هل هذا صحيح؟",
        "ألغى الطبيب الوصفة القديمة، هل وصلت الوصفة الجديدة إلى الصيدلية؟",
    ],
    // Portuguese.
    &[
        "Meu avô fez uma ponte de safena há duas semanas e está com febre, devo levá-lo ao pronto-socorro?",
        "Esqueça o que escrevi antes, meu filho já tomou o remédio.",
        "Qual é a dose máxima diária de paracetamol para adultos?",
        "O sistema de agendamento não funciona, posso marcar para segunda por telefone?",
        "As instruções de alta dizem para trocar o curativo todo dia, é isso mesmo?",
        "O médico cancelou a receita antiga, a nova já chegou na farmácia?",
    ],
    // Italian.
    &[
        "Mio nonno ha fatto un bypass due settimane fa e ha la febbre, dobbiamo andare al pronto soccorso?",
        "Dimentichi quello che ho scritto prima, mio figlio ha già preso la medicina.",
        "Qual è la dose massima giornaliera di paracetamolo per un adulto?",
        "Il sistema delle prenotazioni non funziona, posso prenotare lunedì al telefono?",
        "Le istruzioni di dimissione dicono di cambiare la medicazione ogni giorno, è corretto?",
        "Il medico ha annullato la vecchia ricetta, la nuova è già in farmacia?",
    ],
    // Turkish.
    &[
        "Dedem iki hafta önce bypass ameliyatı oldu, ateşi var, acile gitmeli miyiz?",
        "Az önce yazdıklarımı unutun, oğlum ilacını zaten içti.",
        "Yetişkinler için günlük en yüksek parasetamol dozu nedir?",
        "Randevu sistemi çalışmıyor, pazartesi için telefonla randevu alabilir miyim?",
        "Taburcu talimatlarında pansumanı her gün değiştirmem yazıyor, doğru mu?",
        "Doktor eski reçeteyi iptal etti, yenisi eczaneye ulaştı mı?",
    ],
    // Bengali.
    &[
        "আমার দাদুর দুই সপ্তাহ আগে বাইপাস সার্জারি হয়েছে, এখন জ্বর, হাসপাতালে যাব?",
        "আগে যা লিখেছিলাম তা ভুলে যান, আমার ছেলে ওষুধ খেয়ে নিয়েছে।",
        "প্রাপ্তবয়স্কদের জন্য প্যারাসিটামলের দৈনিক সর্বোচ্চ ডোজ কত?",
        "অ্যাপয়েন্টমেন্ট সিস্টেম কাজ করছে না, সোমবারের জন্য ফোনে সময় নেওয়া যাবে?",
        "ছুটির নির্দেশনায় প্রতিদিন ব্যান্ডেজ বদলাতে বলা হয়েছে, এটা কি ঠিক?",
        "ডাক্তার পুরনো প্রেসক্রিপশন বাতিল করেছেন, নতুনটা কি ফার্মেসিতে পৌঁছেছে?",
    ],
    // Indonesian.
    &[
        "Kakek saya operasi bypass dua minggu lalu dan sekarang demam, perlu ke IGD?",
        "Lupakan yang saya tulis tadi, anak saya sudah minum obatnya.",
        "Berapa dosis maksimal parasetamol per hari untuk orang dewasa?",
        "Sistem pendaftaran tidak bisa dibuka, bisakah saya buat janji hari Senin lewat telepon?",
        "Di petunjuk pulang tertulis perban diganti setiap hari, apakah benar?",
        "Dokter membatalkan resep lama, apakah resep baru sudah sampai di apotek?",
    ],
    // Thai.
    &[
        "คุณตาผ่าตัดบายพาสมาสองสัปดาห์แล้วมีไข้ ต้องไปห้องฉุกเฉินไหมคะ",
        "ลืมที่ฉันเขียนไปเมื่อกี้นะคะ ลูกกินยาไปแล้ว",
        "ผู้ใหญ่กินยาพาราเซตามอลได้สูงสุดวันละเท่าไร",
        "ระบบนัดหมายใช้ไม่ได้ ขอนัดวันจันทร์ทางโทรศัพท์ได้ไหม",
        "คำแนะนำตอนออกจากโรงพยาบาลบอกให้เปลี่ยนผ้าพันแผลทุกวันใช่ไหม",
        "หมอยกเลิกใบสั่งยาเก่าแล้ว ใบใหม่ส่งไปที่ร้านยาหรือยัง",
    ],
    // Tagalog.
    &[
        "Na-bypass ang lolo ko dalawang linggo na ang nakalipas at nilalagnat siya, dadalhin ba namin sa ER?",
        "Kalimutan na ninyo ang isinulat ko kanina, nakainom na ng gamot ang anak ko.",
        "Ano ang pinakamataas na dosis ng paracetamol sa isang araw para sa matanda?",
        "Hindi gumagana ang sistema ng appointment, puwede ba akong magpa-schedule sa Lunes sa telepono?",
        "Sabi sa discharge instructions palitan ang benda araw-araw, tama ba iyon?",
        "Kinansela ng doktor ang lumang reseta, nasa botika na ba ang bago?",
    ],
];

/// Calibration-only patient sentences (never trained on), one slice per language: the
/// cross-fitted calibration scores them with each fold model and bounds the bias shift so that
/// at most [`super::train::TrainConfig::target_multilingual_patient_fpr`] of them are flagged.
const CALIBRATION: &[&[&str]] = &[
    &[
        "Ya no tome en cuenta mi pregunta de antes, el dolor se me quitó.",
        "¿Puedo tomar ibuprofeno junto con la pastilla de la presión?",
        "Mi esposa salió del hospital ayer y perdió la hoja de instrucciones.",
    ],
    &[
        "Mẹ tôi bị chóng mặt sau khi tăng liều thuốc, có cần giảm không?",
        "Tôi muốn hủy lịch hẹn ngày mai vì con bị ốm.",
        "Phiếu hướng dẫn sau mổ ghi kiêng ăn gì vậy bác sĩ?",
    ],
    &[
        "我妈妈加了药量以后头晕，需要减量吗？",
        "明天的预约我想取消，孩子生病了。",
        "手术后的注意事项单子丢了，能再给我一份吗？",
    ],
    &[
        "У мамы кружится голова после увеличения дозы, нужно ли уменьшить?",
        "Хочу отменить завтрашний приём, ребёнок заболел.",
        "Я потерял памятку после операции, можно получить её ещё раз?",
    ],
    &[
        "母が薬を増やしてからめまいがします。減らしたほうがいいですか？",
        "子どもが熱を出したので、明日の予約をキャンセルしたいです。",
        "手術後の注意事項の紙をなくしました。もう一度もらえますか？",
    ],
    &[
        "어머니가 약을 늘린 뒤로 어지러워하세요. 줄여야 하나요?",
        "아이가 아파서 내일 예약을 취소하고 싶어요.",
        "수술 후 주의사항 종이를 잃어버렸는데 다시 받을 수 있나요?",
    ],
    &[
        "Meiner Mutter ist seit der höheren Dosis schwindelig, soll sie weniger nehmen?",
        "Ich möchte den Termin morgen absagen, mein Kind ist krank.",
        "Ich habe das Merkblatt nach der Operation verloren, können Sie es nochmal schicken?",
    ],
    &[
        "Ma mère a des vertiges depuis qu'on a augmenté la dose, faut-il la baisser ?",
        "Je voudrais annuler le rendez-vous de demain, mon enfant est malade.",
        "J'ai perdu la feuille de recommandations après l'opération, pouvez-vous la renvoyer ?",
    ],
    &[
        "दवा की मात्रा बढ़ाने के बाद माँ को चक्कर आते हैं, क्या कम करें?",
        "बच्चा बीमार है, मैं कल की अपॉइंटमेंट रद्द करना चाहता हूँ।",
        "ऑपरेशन के बाद वाली हिदायतों का कागज़ खो गया, क्या दोबारा मिल सकता है?",
    ],
    &[
        "أمي تشعر بالدوخة منذ زيادة الجرعة، هل نخففها؟",
        "أريد إلغاء موعد الغد لأن طفلي مريض.",
        "أضعت ورقة الإرشادات بعد العملية، هل يمكن إرسالها مرة ثانية؟",
    ],
    &[
        "Minha mãe está com tontura desde que aumentaram a dose, devemos diminuir?",
        "Quero cancelar a consulta de amanhã, meu filho está doente.",
        "Perdi o papel com as orientações pós-operatórias, podem mandar de novo?",
    ],
    &[
        "Mia madre ha le vertigini da quando hanno aumentato la dose, bisogna ridurla?",
        "Vorrei disdire l'appuntamento di domani, mio figlio sta male.",
        "Ho perso il foglio con le indicazioni post-operatorie, potete rimandarlo?",
    ],
    &[
        "Annemin dozu artırıldıktan sonra başı dönüyor, azaltmalı mıyız?",
        "Çocuğum hasta olduğu için yarınki randevuyu iptal etmek istiyorum.",
        "Ameliyat sonrası bilgilendirme kağıdını kaybettim, tekrar gönderebilir misiniz?",
    ],
    &[
        "ডোজ বাড়ানোর পর থেকে মায়ের মাথা ঘোরে, কমানো উচিত?",
        "ছেলে অসুস্থ, কালকের অ্যাপয়েন্টমেন্ট বাতিল করতে চাই।",
        "অপারেশনের পরের নির্দেশনার কাগজটা হারিয়ে ফেলেছি, আবার পাওয়া যাবে?",
    ],
    &[
        "Ibu saya pusing sejak dosisnya dinaikkan, perlu diturunkan?",
        "Saya mau membatalkan janji besok karena anak saya sakit.",
        "Kertas petunjuk setelah operasi hilang, bisa dikirim lagi?",
    ],
    &[
        "แม่เวียนหัวตั้งแต่เพิ่มขนาดยา ควรลดลงไหม",
        "ลูกไม่สบาย ขอยกเลิกนัดพรุ่งนี้ค่ะ",
        "ทำเอกสารคำแนะนำหลังผ่าตัดหาย ขอใหม่ได้ไหม",
    ],
    &[
        "Nahihilo ang nanay ko mula nang taasan ang dosis, babawasan ba?",
        "Gusto kong i-cancel ang appointment bukas dahil may sakit ang anak ko.",
        "Nawala ko ang papel ng mga bilin pagkatapos ng operasyon, puwede bang ipadala ulit?",
    ],
];

/// Every calibration sentence (fixed order).
pub fn calibration_messages() -> impl Iterator<Item = &'static str> {
    CALIBRATION.iter().flat_map(|l| l.iter().copied())
}

/// Number of languages with patient sentences.
pub fn n_languages() -> usize {
    PATIENTS.len()
}

/// `n` patient sentences, languages drawn uniformly; one in four joins two sentences of the
/// same language.
pub fn patient_messages(rng: &mut Rng, n: usize) -> Vec<String> {
    super::multilingual::draw_sentences(rng, n, PATIENTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_patient_sentences_and_generation_is_seeded() {
        assert_eq!(n_languages(), super::super::multilingual::n_languages());
        assert!(PATIENTS.iter().all(|l| l.len() >= 6));
        assert_eq!(CALIBRATION.len(), n_languages());
        for c in calibration_messages() {
            assert!(PATIENTS.iter().all(|l| !l.contains(&c)), "{c}");
        }
        let a = patient_messages(&mut Rng::new(5), 40);
        assert_eq!(a, patient_messages(&mut Rng::new(5), 40));
        assert_eq!(a.len(), 40);
    }
}
