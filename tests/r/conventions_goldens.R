# Reference numbers for R's conventions that tests/stats/test_conventions.py checks:
# zero weights, the domain df and Korn-Graubard n when an item is missing in a whole PSU of a
# domain, survey.adjust.domain.lonely, and the lonely-PSU rules at stage 2.
#
# Run from the repository root:   Rscript tests/r/conventions_goldens.R
# Needs R and the survey package (Debian: apt-get install r-cran-survey). CI does not run
# this: the tests read tests/data/api/*.csv (written by api_goldens.R) and
# tests/r/conventions_goldens.csv. The data changes made here are repeated in the tests.
suppressMessages(library(survey))
data(api)

rows <- list()
add <- function(case, stat, value, domain = "", variable = "") {
  value <- as.numeric(value)
  n <- max(length(value), length(domain))
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, domain = rep_len(as.character(domain), n),
    variable = rep_len(as.character(variable), n),
    stat = stat, value = sprintf("%.17g", rep_len(value, n)), stringsAsFactors = FALSE)
}
add_by <- function(case, b, variable) {
  add(case, "estimate", coef(b), names(coef(b)), variable)
  add(case, "se", SE(b), names(coef(b)), variable)
  d <- tryCatch(deff(b), error = function(e) NULL)
  if (!is.null(d)) add(case, "deff", d, names(coef(b)), variable)
}
add_ciprop <- function(case, p, domain, variable) {
  add(case, "estimate", coef(p), domain, variable)
  add(case, "se", sqrt(vcov(p)), domain, variable)
  ci <- confint(p)
  add(case, "ci_low", ci[1], domain, variable)
  add(case, "ci_high", ci[2], domain, variable)
}
stypes <- c("E", "H", "M")

# --- zero weights: every 7th school and the whole district 716 weigh 0 (out of scope). The
# district still counts among the PSUs of its stratum; degf() leaves zero-weight rows out.
z <- apiclus1
z$sw <- as.numeric(z$sch.wide == "Yes")
z$pwz <- z$pw
z$pwz[seq(1, nrow(z), by = 7)] <- 0
z$pwz[z$dnum == 716] <- 0
dz <- svydesign(id = ~dnum, weights = ~pwz, data = z, fpc = ~fpc)
m <- svymean(~api00 + api99, dz, deff = TRUE)
add("zero/mean", "estimate", coef(m), "", names(coef(m)))
add("zero/mean", "se", SE(m), "", names(coef(m)))
add("zero/mean", "deff", diag(as.matrix(attr(m, "deff"))), "", names(coef(m)))
add("zero/degf", "df", degf(dz))
add_by("zero/by_stype_mean", svyby(~api00, ~stype, dz, svymean, deff = TRUE), "api00")
add_by("zero/by_stype_total", svyby(~enroll, ~stype, dz, svytotal, deff = TRUE), "enroll")
for (s in stypes) {
  ds <- subset(dz, stype == s)
  add("zero/by_stype_degf", "df", degf(ds), s)
  add_ciprop("zero/ciprop_logit", svyciprop(~sw, ds, method = "logit"), s, "sw")
}

# --- an item missing in a whole PSU of a domain: sw is NA for district 637's schools.
# R: svyciprop(~y, subset(design, domain)) counts the domain's df and rows (nrow) whatever
# the item's missing values: degf and nrow of the subset, not of its answered rows.
g <- apiclus1
g$sw <- as.numeric(g$sch.wide == "Yes")
g$sw[g$dnum == 637] <- NA
dg <- svydesign(id = ~dnum, weights = ~pw, data = g, fpc = ~fpc)
for (s in stypes) {
  ds <- subset(dg, stype == s)
  add("missing_psu/degf", "df", degf(ds), s)
  add("missing_psu/nrow", "n", nrow(ds), s)
  for (meth in c("logit", "beta", "mean")) {
    p <- svyciprop(~sw, ds, method = meth, na.rm = TRUE)
    add_ciprop(paste0("missing_psu/ciprop_", meth), p, s, "sw")
  }
}

# --- survey.adjust.domain.lonely: strata where the H schools sit in one district of four
a <- apiclus1
a$dstr <- ifelse(a$dnum %in% c(61, 135, 178, 197), "S1",
                 ifelse(a$dnum %in% c(255, 406, 413, 437, 448), "S2", "S3"))
da <- svydesign(id = ~dnum, strata = ~dstr, weights = ~pw, data = a)
for (adj in c(FALSE, TRUE)) {
  options(survey.adjust.domain.lonely = adj)
  for (lp in c("adjust", "average", "certainty")) {
    options(survey.lonely.psu = lp)
    case <- paste0("domain_lonely_", if (adj) "on" else "off", "_", lp)
    add_by(case, suppressWarnings(svyby(~api00, ~stype, da, svymean)), "api00")
  }
}
options(survey.adjust.domain.lonely = FALSE, survey.lonely.psu = "fail")

# --- lonely PSUs at stage 2: district 15 has one sampled school but fpc2 says 5 exist
t2 <- apiclus2
t2$fpc2 <- as.vector(t2$fpc2)
t2$fpc2[t2$dnum == 15] <- 5
d2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = t2)
for (lp in c("certainty", "remove", "adjust", "average")) {
  options(survey.lonely.psu = lp)
  m <- svymean(~api00, d2)
  add(paste0("stage2_", lp, "/mean"), "estimate", coef(m), "", "api00")
  add(paste0("stage2_", lp, "/mean"), "se", SE(m), "", "api00")
  add_by(paste0("stage2_", lp, "/by_stype_mean"), svyby(~api00, ~stype, d2, svymean), "api00")
}
options(survey.lonely.psu = "fail")

goldens <- do.call(rbind, rows)
goldens$version <- paste("R", getRversion(), "survey", packageVersion("survey"))
write.csv(goldens, "tests/r/conventions_goldens.csv", row.names = FALSE)
