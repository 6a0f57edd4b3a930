# Reference numbers for replicate-weight designs: tests/stats/test_replicate.py.
#
# Run from the repository root:   Rscript tests/r/replicate_goldens.R
# Needs R and the survey package (Debian: apt-get install r-cran-survey). CI does not run
# this: the tests read tests/data/api/*.csv (api_goldens.R), the replicate factors written
# here (tests/data/api/replicates_*.csv, one row per PSU) and tests/r/replicate_goldens.csv.
#
#  * jk1, jkn: as.svrepdesign() of apiclus1 (JK1, fpc) and apistrat (JKn, fpc): the tests
#    build the same replicates with make_replicate_weights().
#  * brr, fay, boot, sdr: replicate factors supplied as columns (svrepdesign(...,
#    combined.weights = FALSE)): BRR and Fay (rho 0.3: 0.3 + 0.7 x the BRR factor) from
#    brrweights() on apistrat schools paired within stype, a Rao-Wu bootstrap from as.svrepdesign(type = "subbootstrap") of
#    apiclus1 (seed 20250101, 40 replicates), successive-difference factors of apiclus1's
#    districts in dnum order from a Sylvester Hadamard matrix of order 16.
#  * *_ps, *_rake: postStratify() and rake() of the JK1 design (every replicate calibrated).
suppressMessages(library(survey))
data(api)
datadir <- "tests/data/api"

rows <- list()
add <- function(case, stat, value, domain = "", variable = "") {
  value <- as.numeric(value)
  n <- max(length(value), length(domain))
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, domain = rep_len(as.character(domain), n),
    variable = rep_len(as.character(variable), n), stat = stat,
    value = sprintf("%.17g", rep_len(value, n)), stringsAsFactors = FALSE)
}
add_by <- function(case, b, variable) {
  add(case, "estimate", coef(b), names(coef(b)), variable)
  add(case, "se", SE(b), names(coef(b)), variable)
}
stypes <- c("E", "H", "M")
record <- function(name, d) {
  m <- svymean(~api00 + api99, d)
  add(paste0(name, "/mean"), "estimate", coef(m), "", names(coef(m)))
  add(paste0(name, "/mean"), "se", SE(m), "", names(coef(m)))
  t <- svytotal(~enroll, d, na.rm = TRUE)
  add(paste0(name, "/total"), "estimate", coef(t), "", "enroll")
  add(paste0(name, "/total"), "se", SE(t), "", "enroll")
  add(paste0(name, "/degf"), "df", degf(d))
  add_by(paste0(name, "/by_stype_mean"), svyby(~api00, ~stype, d, svymean), "api00")
  add_by(paste0(name, "/by_stype_total"), svyby(~enroll, ~stype, d, svytotal, na.rm = TRUE),
         "enroll")
  r <- svyby(~api.stu, ~stype, denominator = ~enroll, design = d, FUN = svyratio)
  add(paste0(name, "/by_stype_ratio"), "estimate", coef(r), stypes, "api.stu/enroll")
  add(paste0(name, "/by_stype_ratio"), "se", SE(r), stypes, "api.stu/enroll")
  for (s in stypes) {
    ds <- subset(d, stype == s)
    add(paste0(name, "/by_stype_degf"), "df", degf(ds), s)
    for (meth in c("logit", "beta", "mean")) {
      p <- svyciprop(~sw, ds, method = meth)
      case <- paste0(name, "/ciprop_", meth)
      add(case, "estimate", coef(p), s, "sw")
      add(case, "se", sqrt(vcov(p)), s, "sw")
      add(case, "ci_low", confint(p)[1], s, "sw")
      add(case, "ci_high", confint(p)[2], s, "sw")
    }
  }
}
contrasts_and_chisq <- function(name, d) {
  b <- svyby(~api00, ~stype, d, svymean, covmat = TRUE)
  for (pair in list(c("E", "H"), c("E", "M"), c("H", "M"))) {
    w <- setNames(c(0, 0, 0), stypes)
    w[pair[1]] <- 1
    w[pair[2]] <- -1
    ct <- svycontrast(b, w)
    add(paste0(name, "/diff_stype"), "estimate", coef(ct), paste(pair, collapse = "-"), "api00")
    add(paste0(name, "/diff_stype"), "se", SE(ct), paste(pair, collapse = "-"), "api00")
  }
  for (st in c("F", "Chisq")) {
    t <- svychisq(~sch.wide + stype, d, statistic = st)
    add(paste0(name, "/chisq_", st), "statistic", t$statistic)
    add(paste0(name, "/chisq_", st), "p_value", t$p.value)
    add(paste0(name, "/chisq_", st), "ndf", t$parameter[1])
  }
}
apiclus1$sw <- as.numeric(apiclus1$sch.wide == "Yes")
apistrat$sw <- as.numeric(apistrat$sch.wide == "Yes")

dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
jk1 <- as.svrepdesign(dclus1)
record("jk1", jk1)
contrasts_and_chisq("jk1", jk1)
jkn <- as.svrepdesign(dstrat, type = "JKn")
record("jkn", jkn)
contrasts_and_chisq("jkn", jkn)

# --- indices: a linear combination of means, and each domain minus the whole (the
# difference's replicates from svyby(..., return.replicates = TRUE), then svrVar)
apiclus1$aw <- as.numeric(apiclus1$awards == "Yes")
jk1 <- update(jk1, aw = as.numeric(awards == "Yes"))
m <- svymean(~sw + aw, jk1)
ct <- svycontrast(m, c(sw = 0.5, aw = 0.5))
add("jk1/combination", "estimate", coef(ct), "", "index")
add("jk1/combination", "se", SE(ct), "", "index")
b <- svyby(~sw, ~stype, jk1, svymean, return.replicates = TRUE)
a <- svymean(~sw, jk1, return.replicates = TRUE)
for (s in stypes) {
  reps <- attr(b, "replicates")[, match(s, stypes)] - a$replicates
  diff <- coef(b)[s] - a$mean[1]
  v <- survey:::svrVar(reps, jk1$scale, jk1$rscales, mse = jk1$mse, coef = diff)
  add("jk1/minus_overall", "estimate", diff, s, "sw")
  add("jk1/minus_overall", "se", sqrt(v), s, "sw")
}

# --- supplied factors. BRR / Fay: schools paired within stype in snum order.
apistrat <- apistrat[order(apistrat$stype, apistrat$snum), ]
apistrat$pair <- paste(apistrat$stype, (ave(seq_along(apistrat$snum), apistrat$stype,
                                            FUN = seq_along) + 1) %/% 2)
dpair <- svydesign(id = ~snum, strata = ~pair, weights = ~pw, data = apistrat)
brr <- brrweights(apistrat$pair, apistrat$snum, only.weights = TRUE, compress = FALSE)
fay <- brrweights(apistrat$pair, apistrat$snum, fay.rho = 0.3, only.weights = TRUE,
                  compress = FALSE)
write_factors <- function(file, ids, name, m) {
  out <- data.frame(ids[!duplicated(ids)], unclass(m)[!duplicated(ids), , drop = FALSE])
  names(out) <- c(name, paste0("r", seq_len(ncol(m))))
  write.csv(out, file.path(datadir, file), row.names = FALSE)
}
write_factors("replicates_brr.csv", apistrat$snum, "snum", brr)
stopifnot(all.equal(unclass(fay), 0.3 + 0.7 * unclass(brr)))  # the tests derive Fay's so
record("brr", svrepdesign(data = apistrat, repweights = unclass(brr), weights = ~pw,
                          type = "BRR", combined.weights = FALSE))
record("fay", svrepdesign(data = apistrat, repweights = unclass(fay), weights = ~pw,
                          type = "Fay", rho = 0.3, combined.weights = FALSE))

# Rao-Wu bootstrap of the districts of apiclus1
set.seed(20250101)
boot <- as.svrepdesign(dclus1, type = "subbootstrap", replicates = 40, compress = FALSE)
bootf <- boot$repweights
write_factors("replicates_boot.csv", apiclus1$dnum, "dnum", bootf)
record("boot", svrepdesign(data = apiclus1, repweights = unclass(bootf), weights = ~pw,
                           type = "bootstrap", combined.weights = FALSE))

# successive differences of the districts in dnum order, Sylvester Hadamard of order 16
h <- matrix(1, 1, 1)
for (k in 1:4) h <- rbind(cbind(h, h), cbind(h, -h))
districts <- sort(unique(apiclus1$dnum))
row_of <- 1 + (seq_along(districts) - 1) %% 15
nxt <- c(row_of[-1], row_of[1])
sdr_psu <- 1 + 2^-1.5 * (h[row_of + 1, ] - h[nxt + 1, ])
sdr <- sdr_psu[match(apiclus1$dnum, districts), ]
write_factors("replicates_sdr.csv", apiclus1$dnum, "dnum", sdr)
record("sdr", svrepdesign(data = apiclus1, repweights = sdr, weights = ~pw,
                          type = "successive-difference", combined.weights = FALSE))

# --- calibration redone on every replicate (JK1 of apiclus1)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
record("jk1_ps", postStratify(jk1, ~stype, pop.types))
record("jk1_rake", rake(jk1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                        control = list(maxit = 100, epsilon = 1e-12)))
record("jkn_mse", as.svrepdesign(dstrat, type = "JKn", mse = TRUE))

goldens <- do.call(rbind, rows)
goldens <- goldens[goldens$case != "", ]
goldens$version <- paste("R", getRversion(), "survey", packageVersion("survey"))
write.csv(goldens, "tests/r/replicate_goldens.csv", row.names = FALSE)
