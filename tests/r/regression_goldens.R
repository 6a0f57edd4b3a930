# Reference numbers for tests/stats/test_regression.py and tests/stats/test_quantiles.py.
#
# Run from the repository root:   Rscript tests/r/regression_goldens.R
# Needs R and the survey package (Debian: apt-get install r-cran-survey). CI does not run
# this: the tests read tests/data/api/*.csv (api_goldens.R) and tests/r/regression_goldens.csv.
#
#  * logit_*: svyglm(sw ~ ell + mobility + stype, family = quasibinomial()) on apiclus1 (with
#    fpc), on apistrat, on apiclus2 (two stages) and on the JK1 replicate design of apiclus1;
#    coefficients, SEs, df.residual, summary()'s p-values and confint() (t on df.residual).
#    comp.imp (school met its growth target) on yr.rnd (a categorical predictor) as well.
#  * quantile_*: svyquantile(~api00, design, c(0.25, 0.5, 0.75)) with R's defaults
#    (interval.type = "mean": Woodruff's interval; qrule = "math": the smallest value whose
#    weighted CDF reaches p), whole and by stype (svyby), and on the JK1 replicate design.
suppressMessages(library(survey))
# the CSV files the tests read (15 significant digits): quantiles turn on exact ties of
# cumulative weights, so R must see the very numbers Python sees
for (nm in c("apiclus1", "apistrat", "apiclus2")) {
  assign(nm, read.csv(file.path("tests/data/api", paste0(nm, ".csv"))))
}

rows <- list()
add <- function(case, stat, value, term = "", domain = "") {
  value <- as.numeric(value)
  n <- max(length(value), length(term))
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, term = rep_len(as.character(term), n), domain = rep_len(domain, n),
    stat = stat, value = sprintf("%.17g", rep_len(value, n)), stringsAsFactors = FALSE)
}
for (nm in c("apiclus1", "apistrat", "apiclus2")) {
  d <- get(nm)
  d$sw <- as.numeric(d$sch.wide == "Yes")
  d$met <- as.numeric(d$comp.imp == "Yes")
  assign(nm, d)
}
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
jk1 <- as.svrepdesign(dclus1)

record_glm <- function(case, fit) {
  s <- summary(fit)$coefficients
  add(case, "estimate", coef(fit), names(coef(fit)))
  add(case, "se", SE(fit), names(coef(fit)))
  add(case, "p_value", s[, 4], rownames(s))
  ci <- confint(fit)
  add(case, "ci_low", ci[, 1], rownames(ci))
  add(case, "ci_high", ci[, 2], rownames(ci))
  add(case, "df", fit$df.residual)
}
glm_control <- glm.control(epsilon = 1e-14, maxit = 100)
for (nm in c("clus1", "strat", "clus2", "jk1")) {
  d <- switch(nm, clus1 = dclus1, strat = dstrat, clus2 = dclus2, jk1 = jk1)
  record_glm(paste0("logit_", nm), svyglm(sw ~ ell + mobility + stype, design = d,
                                          family = quasibinomial(), control = glm_control))
}
record_glm("logit_yrrnd", svyglm(met ~ yr.rnd + ell, design = dclus1,
                                  family = quasibinomial(), control = glm_control))

probs <- c(0.25, 0.5, 0.75)
record_q <- function(case, q, domain = "") {
  for (i in seq_along(probs)) {
    row <- q$api00[i, ]
    term <- as.character(probs[i])
    add(case, "estimate", row[1], term, domain)
    add(case, "ci_low", row[2], term, domain)
    add(case, "ci_high", row[3], term, domain)
    add(case, "se", row[4], term, domain)
  }
}
for (nm in c("clus1", "strat", "clus2", "jk1")) {
  d <- switch(nm, clus1 = dclus1, strat = dstrat, clus2 = dclus2, jk1 = jk1)
  record_q(paste0("quantile_", nm), svyquantile(~api00, d, probs))
  for (s in c("E", "H", "M")) {
    record_q(paste0("quantile_", nm, "_by"), svyquantile(~api00, subset(d, stype == s), probs), s)
  }
}

goldens <- do.call(rbind, rows)
goldens$version <- paste("R", getRversion(), "survey", packageVersion("survey"))
write.csv(goldens, "tests/r/regression_goldens.csv", row.names = FALSE)
