//! 去除个人信息 — removes personal data from text that is about to be published (a reply on the
//! portal): mobile and landline numbers, ID numbers, e-mail addresses. Pure and conservative: a
//! run of digits long enough to be a phone or ID number is masked even if it is something else,
//! because publishing a masked order number costs little and publishing a phone number does not
//! (个人信息保护法 Art 25: personal information is not made public without consent).

/// The text with every phone number, ID number and e-mail address masked.
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            // A run of digits, with the separators phone numbers are written with.
            let mut j = i;
            let mut digits = 0;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || (matches!(chars[j], '-' | ' ')
                        && j + 1 < chars.len()
                        && chars[j + 1].is_ascii_digit())
                    || (matches!(chars[j], 'X' | 'x') && digits == 17))
            {
                if chars[j].is_ascii_digit() || matches!(chars[j], 'X' | 'x') {
                    digits += 1;
                }
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            if digits >= 7 {
                // Keep the first three and last two digits' places, like the masks on screen.
                let kept: String = run
                    .chars()
                    .enumerate()
                    .map(|(k, ch)| {
                        if k < 3 || k + 2 >= run.chars().count() || !ch.is_ascii_alphanumeric() {
                            ch
                        } else {
                            '*'
                        }
                    })
                    .collect();
                out.push_str(&kept);
            } else {
                out.push_str(&run);
            }
            i = j;
            continue;
        }
        if c == '@' {
            // Mask the local part already written, and the domain up to its last dot.
            let local_len = out
                .chars()
                .rev()
                .take_while(|ch| ch.is_ascii_alphanumeric() || "._%+-".contains(*ch))
                .count();
            if local_len > 0 {
                let keep = out.chars().count() - local_len;
                let first: String = out.chars().skip(keep).take(1).collect();
                out = out.chars().take(keep).collect::<String>() + &first + "***";
                out.push('@');
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_ascii_alphanumeric() || ".-".contains(chars[j]))
                {
                    j += 1;
                }
                let domain: String = chars[i + 1..j].iter().collect();
                let tld = domain.rsplit_once('.').map(|(_, t)| t).unwrap_or("");
                out.push_str("***.");
                out.push_str(tld);
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;
    use proptest::prelude::*;

    #[test]
    fn phones_ids_and_mail_are_masked_and_the_rest_kept() {
        assert_eq!(redact("请联系13912344321。"), "请联系139******21。");
        assert_eq!(redact("电话0571-87654321"), "电话057*-******21");
        assert_eq!(
            redact("身份证110105199001010021"),
            "身份证110*************21"
        );
        assert_eq!(
            redact("身份证11010519900101002X"),
            "身份证110*************2X"
        );
        assert_eq!(
            redact("邮箱 li.ming@example.cn 联系"),
            "邮箱 l***@***.cn 联系"
        );
        assert_eq!(
            redact("2026年投入500万元，建成3所学校"),
            "2026年投入500万元，建成3所学校"
        );
        assert_eq!(redact("第12号建议"), "第12号建议");
    }

    proptest! {
        /// No run of seven or more digits survives, whatever surrounds it.
        #[test]
        fn no_long_digit_run_survives(prefix in "[\\p{Han}a-z ]{0,8}", digits in "[0-9]{7,18}", suffix in "[\\p{Han}a-z ]{0,8}") {
            let out = redact(&format!("{prefix}{digits}{suffix}"));
            let mut run = 0;
            for c in out.chars() {
                run = if c.is_ascii_digit() { run + 1 } else { 0 };
                prop_assert!(run < 7, "{out}");
            }
        }
    }
}
