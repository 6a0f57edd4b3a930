# Reference numbers for tests/test_drivers.py.
#
# Run from the repository root:   Rscript tests/r/drivers_goldens.R
# Needs R with MASS and survey (Debian: apt-get install r-cran-mass r-cran-survey). CI does
# not run this: the tests read tests/r/drivers_goldens.csv and tests/r/drivers_housing.csv,
# and the api data in tests/data/api (written by tests/r/api_goldens.R).
#
#  * housing: MASS::housing, the proportional-odds example of Venables & Ripley (2002,
#    Modern Applied Statistics with S, 4th ed., sec. 7.3): polr(Sat ~ Infl + Type + Cont,
#    weights = Freq). Published coefficients 0.5664, 1.2888, -0.5724, -0.3662, -1.0910,
#    0.3603; intercepts -0.4961, 0.6907. The weights are frequencies.
#  * clus1: the svyolr example of ?svyolr (mealcat ~ avg.ed + mobility + stype on
#    apiclus1, one-stage cluster sample of districts), WITHOUT the fpc: our sandwich has no
#    finite population correction. 26 schools lack avg.ed (dropped; their districts stay in
#    the design).
#  * strat: the same kind of model on apistrat (stratified by stype, no clusters).
#  * cor_*: a design-based Pearson correlation through svycontrast on svymean of the first
#    and second moments -- the delta method that drivers.weighted_correlation linearises.
# optim is run to a tight tolerance (reltol 1e-15, ndeps 1e-6 for the Hessian) so the
# numbers carry about 8 significant digits instead of optim's default 4-5.
suppressMessages({library(MASS); library(survey)})
data(api)

out <- "tests/r"
write.csv(MASS::housing, file.path(out, "drivers_housing.csv"), row.names = FALSE)

rows <- list()
add <- function(case, stat, value, term = "") {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, term = term, stat = stat, value = sprintf("%.17g", as.numeric(value)))
}
tight <- function(p) list(reltol = 1e-15, maxit = 10000, ndeps = rep(1e-6, p))

housing_fit <- polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing,
                    control = list(reltol = 1e-15, maxit = 10000))
add("housing", "coef", coef(housing_fit), names(coef(housing_fit)))
add("housing", "zeta", housing_fit$zeta, names(housing_fit$zeta))

record_svyolr <- function(case, fit) {
  add(case, "coef", coef(fit)[names(fit$coefficients)], names(fit$coefficients))
  add(case, "zeta", fit$zeta, names(fit$zeta))
  se <- sqrt(diag(vcov(fit)))
  add(case, "se", se, names(se))
}

clus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
clus1 <- update(clus1, mealcat = cut(meals, c(0, 25, 50, 75, 100)))
fit <- svyolr(mealcat ~ avg.ed + mobility + stype, design = clus1, control = tight(7))
record_svyolr("clus1", fit)
add("clus1", "n", nrow(fit$fitted.values))

# with the fpc, and post-stratified to the school types (the calibration enters the SEs);
# a model without missing values (R's svyolr keeps a calibrated design's incomplete rows)
clus1f <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
clus1f <- update(clus1f, mealcat0 = cut(meals, c(-1, 25, 50, 75, 100)))
fit <- svyolr(mealcat0 ~ ell + mobility + stype, design = clus1f, control = tight(7))
record_svyolr("clus1_fpc", fit)
add("clus1_fpc", "df", degf(clus1f))
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
clus1p <- postStratify(clus1f, ~stype, pop.types)
fit <- svyolr(mealcat0 ~ ell + mobility + stype, design = clus1p, control = tight(7))
record_svyolr("clus1_ps", fit)

# the same model on the JK1 replicate design of clus1: every replicate refitted (polr's
# default tolerance there, so the SEs carry about 5 significant digits)
clus1_jk1 <- as.svrepdesign(clus1, type = "JK1")
fit <- svyolr(mealcat ~ avg.ed + mobility + stype, design = clus1_jk1, control = tight(7))
record_svyolr("clus1_jk1", fit)
add("clus1_jk1", "df", degf(clus1_jk1))

strat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)
strat <- update(strat, mealcat = cut(meals, c(0, 25, 50, 75, 100)))
fit <- svyolr(mealcat ~ avg.ed + ell + mobility, design = strat, control = tight(6))
record_svyolr("strat", fit)
add("strat", "n", nrow(fit$fitted.values))

pearson <- function(case, design, x, y) {
  f <- as.formula(sprintf("~%s + %s + I(%s^2) + I(%s^2) + I(%s*%s)", x, y, x, y, x, y))
  m <- svymean(f, design, na.rm = TRUE)
  names(m) <- c("x", "y", "xx", "yy", "xy")
  r <- svycontrast(m, quote((xy - x * y) / sqrt((xx - x^2) * (yy - y^2))))
  add(case, "r", coef(r))
  add(case, "se", SE(r))
}
pearson("cor_clus1", clus1, "avg.ed", "api00")
pearson("cor_strat", strat, "ell", "api00")

goldens <- do.call(rbind, rows)
goldens$version <- paste("R", getRversion(), "MASS", packageVersion("MASS"),
                         "survey", packageVersion("survey"))
write.csv(goldens, file.path(out, "drivers_goldens.csv"), row.names = FALSE)
