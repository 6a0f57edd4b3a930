# Reference numbers for tests/studies/test_papi_composites.py: PAPI-style composites
# (indicators rescaled to 1-10 with their direction, sub-dimension = mean of its indicators
# times its share 1/k, dimension = sum of sub-dimensions, total = sum of dimensions), each
# indicator mean over its own respondents, as svycontrast() of svytotal()s (delta method),
# overall and by domain, on R's api data; and vcov(svytotal()) for the joint covariance.
#
# Run from the repository root:   Rscript tests/r/papi_goldens.R
suppressMessages(library(survey))
data(api)
rows <- list()
add <- function(case, domain, composite, est) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, domain = domain, composite = composite,
    estimate = sprintf("%.17g", as.numeric(coef(est))),
    se = sprintf("%.17g", as.numeric(SE(est))), stringsAsFactors = FALSE)
}
prep <- function(d) {
  d$a <- as.numeric(d$sch.wide == "Yes")
  d$b <- as.numeric(d$comp.imp == "Yes")
  d$c <- ifelse(d$snum %% 5 == 0, NA, d$api00)      # own denominator: every 5th missing
  d$e <- d$meals
  d$f <- ifelse(d$snum %% 7 == 0, NA, d$ell)
  for (v in c("a", "b", "c", "e", "f")) {
    d[[paste0(v, "0")]] <- ifelse(is.na(d[[v]]), 0, d[[v]])
    d[[paste0(v, "n")]] <- as.numeric(!is.na(d[[v]]))
  }
  d
}
# rescaled means: s = 1 + 9 (x - low) / (high - low); negative: 1 + 9 (high - x) / (high - low)
S1 <- quote((1 / 4) * ((1 + 9 * (a0 / an)) + (1 + 9 * (b0 / bn))))
S2 <- quote((1 / 2) * (1 + 9 * (c0 / cn - 200) / 800))
S3 <- quote((1 / 2) * ((1 + 9 * (100 - e0 / en) / 100) + (1 + 9 * (100 - f0 / fn) / 100)))
D1 <- bquote(.(S1) + .(S2))
TOTAL <- bquote(.(D1) + .(S3))
composites <- list("sub_dimension:s1" = S1, "sub_dimension:s2" = S2, "dimension:d1" = D1,
                   "sub_dimension:s3" = S3, "total" = TOTAL)
formula <- ~a0 + an + b0 + bn + c0 + cn + e0 + en + f0 + fn
designs <- list(
  clus = svydesign(id = ~dnum, weights = ~pw, data = prep(apiclus1), fpc = ~fpc),
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = prep(apistrat), fpc = ~fpc),
  clus2 = svydesign(id = ~dnum + snum, weights = ~pw, data = prep(apiclus2), fpc = ~fpc1 + fpc2)
)
for (nm in names(designs)) {
  des <- designs[[nm]]
  for (domain in c("", "E", "M", "H")) {
    sub <- if (domain == "") des else subset(des, stype == domain)
    tot <- svytotal(formula, sub)
    for (key in names(composites)) add(nm, domain, key, svycontrast(tot, composites[[key]]))
  }
}
# joint covariance of totals (the engine behind rank intervals)
cov <- vcov(svytotal(~a + b + api00, designs$clus))
for (i in rownames(cov)) for (j in colnames(cov)) {
  rows[[length(rows) + 1]] <- data.frame(case = "vcov_clus", domain = i, composite = j,
    estimate = sprintf("%.17g", cov[i, j]), se = "", stringsAsFactors = FALSE)
}
out <- do.call(rbind, rows)
write.csv(out, "tests/r/papi_goldens.csv", row.names = FALSE)
cat(sprintf("# R %s, survey %s\n", getRversion(), packageVersion("survey")))
print(head(out, 12))
