//! `lianxin-bench crypto`: the cost of the security layer per operation — sealing and opening a
//! personal datum (SM4-GCM), its keyed digest (HMAC-SM3), a one-time-code check (TOTP and
//! HMAC-SM3, three steps), an SM2 seal and its verification, an argon2id password hash — each as
//! the median of several runs, beside an SM3 token digest measured in the same run as baseline.

use anyhow::Result;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Nanoseconds per call of `f`, median over `runs` runs of `n` calls.
fn per_op(runs: usize, n: usize, mut f: impl FnMut(usize)) -> f64 {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        for i in 0..n {
            f(i);
        }
        samples.push(t.elapsed().as_nanos() as f64 / n as f64);
    }
    median(samples)
}

/// Sealing and search keys of personal data: SM4-GCM, AES-GCM and the SM3 blind index.
#[derive(clap::Args)]
pub struct Args {
    /// Values sealed per run.
    #[arg(long, default_value_t = 20_000)]
    n: usize,
    /// Runs (the median is reported).
    #[arg(long, default_value_t = 7)]
    runs: usize,
}

pub fn main(a: Args) -> Result<()> {
    let Args { n, runs } = a;
    let dir = std::env::temp_dir().join(format!("lianxin-crypto-bench-{}", std::process::id()));
    let vault = lianxin::platform::vault::Vault::open(&dir)?;
    let phones: Vec<String> = (0..n).map(|i| format!("139{:08}", i)).collect();
    let sealed: Vec<String> = phones
        .iter()
        .map(|p| vault.seal("persons.phone_sealed", p))
        .collect::<Result<_, _>>()?;
    let token = lianxin::platform::secret::random_token();
    let mut sink = 0usize;
    let baseline = per_op(runs, n, |_| {
        sink += lianxin::platform::secret::digest(&token).len()
    });
    let rows: Vec<(&str, f64)> = vec![
        (
            "SM4-GCM seal (phone)",
            per_op(runs, n, |i| {
                sink += vault
                    .seal("persons.phone_sealed", &phones[i])
                    .map_or(0, |s| s.len());
            }),
        ),
        (
            "SM4-GCM open (phone)",
            per_op(runs, n, |i| {
                sink += vault
                    .open_sealed("persons.phone_sealed", &sealed[i])
                    .map_or(0, |s| s.len());
            }),
        ),
        (
            "HMAC-SM3 keyed digest",
            per_op(runs, n, |i| {
                sink += vault
                    .digest("persons.phone_sealed", &phones[i])
                    .map_or(0, |s| s.len());
            }),
        ),
        ("TOTP-SHA1 check (3 steps)", {
            use lianxin::accounts::second_factor::{Algorithm, verify};
            per_op(runs, n, |i| {
                sink += verify(
                    Algorithm::Totp,
                    b"12345678901234567890",
                    "000000",
                    i as i64 * 1000,
                    0,
                )
                .map_or(0, |s| s as usize);
            })
        }),
        ("HMAC-SM3 code check (3 steps)", {
            use lianxin::accounts::second_factor::{Algorithm, verify};
            per_op(runs, n, |i| {
                sink += verify(
                    Algorithm::HmacSm3,
                    b"12345678901234567890",
                    "000000",
                    i as i64 * 1000,
                    0,
                )
                .map_or(0, |s| s as usize);
            })
        }),
    ];
    let key = lianxin::platform::seal::create(&dir, 1, 1)?;
    let public = lianxin::platform::seal::public_hex(&key);
    let result = "第3号议案：应到 150，赞成 120，反对 3，弃权 2；通过".as_bytes();
    let seal = lianxin::platform::seal::sign(&key, 1, result);
    let small = (n / 20).max(10);
    let sm2_sign = per_op(runs, small, |_| {
        sink += lianxin::platform::seal::sign(&key, 1, result)
            .signature
            .len();
    });
    let sm2_verify = per_op(runs, small, |_| {
        sink += usize::from(lianxin::platform::seal::verify(&public, result, &seal));
    });
    // Secret ballots sealed with their vote's key, one and a batch of 256, and opened at close.
    use lianxin::meetings::ballot_seal;
    let ballot_public = ballot_seal::create_key(&vault, 1)?;
    let ballot_key =
        ballot_seal::load_key(&vault, 1)?.ok_or_else(|| anyhow::anyhow!("ballot key"))?;
    let sealed_ballot = ballot_seal::seal(&ballot_public, &["\"abstain\""], 32)?;
    let ballot_sealing = per_op(runs, small, |_| {
        sink += ballot_seal::seal(&ballot_public, &["\"yes\""], 32).map_or(0, |s| s.len());
    });
    let ballot_opening = per_op(runs, small, |_| {
        sink += ballot_seal::open(&ballot_key, &sealed_ballot).map_or(0, |s| s.len());
    });
    let batch = vec!["\"yes\""; lianxin::meetings::ballot_box::MAX_BATCH];
    let batch_sealing = per_op(runs, small / 10 + 1, |_| {
        sink += ballot_seal::seal(&ballot_public, &batch, 32).map_or(0, |s| s.len());
    });
    let argon = per_op(3, 5, |_| {
        sink += lianxin::accounts::password::hash("Lianxin-bench-2026").map_or(0, |h| h.len());
    });
    println!(
        "# lianxin-bench crypto: {n} operations x {runs} runs (median ns/op); SM2 {small} ops; argon2id 5 x 3"
    );
    println!("| operation | median per op | × SM3 token digest |");
    println!("|---|---|---|");
    println!(
        "| SM3 token digest (baseline) | {:.2} µs | 1.0 |",
        baseline / 1000.0
    );
    for (name, ns) in rows.into_iter().chain([
        ("SM2 sign (result seal)", sm2_sign),
        ("SM2 verify", sm2_verify),
        (
            "SM2 encrypt a ballot (C1C3C2, one 256-byte block)",
            ballot_sealing,
        ),
        ("SM2 encrypt a batch of 256 ballots", batch_sealing),
        ("SM2 decrypt a ballot", ballot_opening),
        ("argon2id hash (m=19 MiB, t=2)", argon),
    ]) {
        println!("| {name} | {:.2} µs | {:.1} |", ns / 1000.0, ns / baseline);
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::hint::black_box(sink);
    Ok(())
}
