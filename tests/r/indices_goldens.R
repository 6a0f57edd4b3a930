# Reference numbers for tests/test_indices.py: means of shares with their own denominators
# (SIPAS "mean of criterion indices") and a domain-minus-all difference, by the delta method
# (svycontrast on svytotal), on R's api data.
#
# Run from the repository root:   Rscript tests/r/indices_goldens.R
suppressMessages(library(survey))
data(api)
rows <- list()
add <- function(case, domain, est) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, domain = domain,
    estimate = sprintf("%.17g", as.numeric(coef(est))),
    se = sprintf("%.17g", as.numeric(SE(est))), stringsAsFactors = FALSE)
}
prep <- function(d) {
  d$a <- as.numeric(d$sch.wide == "Yes")
  d$b <- as.numeric(d$comp.imp == "Yes")
  # c is missing for every fifth school number: its own denominator
  d$c <- ifelse(d$snum %% 5 == 0, NA, as.numeric(d$api00 > 650))
  d$c0 <- ifelse(is.na(d$c), 0, d$c)
  d$dc <- as.numeric(!is.na(d$c))
  d$one <- 1
  d
}
clus <- svydesign(id = ~dnum, weights = ~pw, data = prep(apiclus1), fpc = ~fpc)
strat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = prep(apistrat), fpc = ~fpc)

for (nm in c("clus", "strat")) {
  des <- get(nm)
  # no missing: plain linear contrast of svymean
  add(paste0(nm, "_ab"), "", svycontrast(svymean(~a + b, des), c(a = 0.5, b = 0.5)))
  # with missing: each share over its own valid rows
  tot <- svytotal(~a + b + c0 + dc + one, des)
  add(paste0(nm, "_abc"), "", svycontrast(tot, quote((a / one + b / one + c0 / dc) / 3)))
  for (s in c("E", "M", "H")) {
    sub <- subset(des, stype == s)
    tot_s <- svytotal(~a + b + c0 + dc + one, sub)
    add(paste0(nm, "_abc"), s, svycontrast(tot_s, quote((a / one + b / one + c0 / dc) / 3)))
  }
  # domain minus all for the share a (E schools vs all schools)
  d2 <- update(des, aE = a * (stype == "E"), oneE = as.numeric(stype == "E"))
  tot2 <- svytotal(~aE + oneE + a + one, d2)
  add(paste0(nm, "_diffE"), "E", svycontrast(tot2, quote(aE / oneE - a / one)))
}
out <- do.call(rbind, rows)
write.csv(out, "tests/r/indices_goldens.csv", row.names = FALSE)
cat(sprintf("# R %s, survey %s\n", getRversion(), packageVersion("survey")))
print(out)
