# Reference numbers for tests/test_reliability.py: psych::alpha on two data sets.
#
# Run from the repository root:   Rscript tests/r/reliability_goldens.R
# Needs R with psych (Debian: apt-get install r-cran-psych). CI does not run this: the tests
# read the CSV files written here.
#  * attitude: R's datasets::attitude (Chatterjee & Price 1977, 30 departments, 7 ratings),
#    a published data set; alpha of the six items other than the overall `rating`.
#  * misfit: 300 simulated 1-5 answers to 5 items, 4 driven by one latent trait and the 5th
#    (q5) pure noise, with about 4% of cells missing. psych::alpha is given the complete
#    cases (na.omit): the Python code deletes listwise by itself.
suppressMessages(library(psych))

out <- "tests/r"
att <- datasets::attitude
write.csv(att, file.path(out, "reliability_attitude.csv"), row.names = FALSE)

set.seed(20251125)
n <- 300
latent <- rnorm(n)
code <- function(x) as.integer(cut(x, c(-Inf, -1.5, -0.5, 0.5, 1.5, Inf)))
misfit <- data.frame(
  q1 = code(latent + rnorm(n, 0, 0.7)),
  q2 = code(latent + rnorm(n, 0, 0.8)),
  q3 = code(latent + rnorm(n, 0, 0.9)),
  q4 = code(latent + rnorm(n, 0, 0.7)),
  q5 = code(rnorm(n))
)
for (j in seq_along(misfit)) misfit[sample(n, 12), j] <- NA
write.csv(misfit, file.path(out, "reliability_misfit.csv"), row.names = FALSE, na = "")

rows <- list()
add <- function(case, stat, value, item = "") {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, item = item, stat = stat, value = sprintf("%.17g", as.numeric(value)))
}
record <- function(case, x) {
  a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
  add(case, "raw_alpha", a$total$raw_alpha)
  add(case, "std_alpha", a$total$std.alpha)
  add(case, "n", nrow(x))
  add(case, "r_drop", a$item.stats$r.drop, rownames(a$item.stats))
  add(case, "alpha_drop", a$alpha.drop$raw_alpha, rownames(a$alpha.drop))
}
record("attitude", att[, c("complaints", "privileges", "learning", "raises", "critical",
                           "advance")])
record("misfit", na.omit(misfit))

goldens <- do.call(rbind, rows)
goldens$version <- paste("R", getRversion(), "psych", packageVersion("psych"))
write.csv(goldens, file.path(out, "reliability_goldens.csv"), row.names = FALSE)
