# Reference numbers for tests/studies/test_papi_replicates.py: PAPI-style composites on
# replicate-weight designs (R's api data, as tests/r/papi_goldens.R).
#
#  * linear composites (every indicator rescaled on its fixed range): svycontrast() of
#    svytotal(..., return.replicates = TRUE) on subset(svrepdesign, province == p) -- the
#    composite recomputed on every replicate;
#  * a nonlinear rescaling (indicators c and f rescaled min-max over the provinces' means,
#    "rescale: provinces"): withReplicates() with a function computing every composite of
#    every province, the all-province value and each province minus it, from the weights
#    it is given; vcov() of that gives the joint covariance of the provinces' totals (the
#    input of the rank intervals).
#
# Designs: as.svrepdesign() of apistrat (JKn, fpc), apiclus1 (JK1, fpc) and apiclus2 (JK1,
# two stages), and the Rao-Wu bootstrap factors of apiclus1 supplied as columns
# (tests/data/api/replicates_boot.csv, written by tests/r/replicate_goldens.R).
# Provinces: stype (3) and stype x awards (6).
#
# Run from the repository root:   Rscript tests/r/papi_replicate_goldens.R
suppressMessages(library(survey))
data(api)
rows <- list()
add <- function(case, instrument, provinces, domain, composite, stat, value) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, instrument = instrument, provinces = provinces, domain = domain,
    composite = composite, stat = stat, value = sprintf("%.17g", as.numeric(value)),
    stringsAsFactors = FALSE)
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
  d$stype_awards <- paste0(d$stype, d$awards)
  d
}
ranges <- list(a = c(0, 1), b = c(0, 1), c = c(200, 1000), e = c(0, 100), f = c(0, 100))
direction <- c(a = 1, b = 1, c = 1, e = -1, f = -1)
keys <- c("sub_dimension:s1", "sub_dimension:s2", "dimension:d1", "sub_dimension:s3",
          "dimension:d2", "total")

# every composite from the indicator means of a set of groups (rows), rescaled with the
# fixed ranges, or for `relative` indicators min-max over the provinces' means `M`
composites_of <- function(means, M, relative) {
  s <- sapply(names(ranges), function(v) {
    if (v %in% relative) { lo <- min(M[, v]); hi <- max(M[, v]) }
    else { lo <- ranges[[v]][1]; hi <- ranges[[v]][2] }
    r <- (means[, v] - lo) / (hi - lo)
    if (direction[[v]] > 0) 1 + 9 * r else 1 + 9 * (1 - r)
  })
  if (is.null(dim(s))) s <- matrix(s, nrow = 1, dimnames = list(NULL, names(ranges)))
  s1 <- (s[, "a"] + s[, "b"]) / 4
  s2 <- s[, "c"] / 2
  s3 <- (s[, "e"] + s[, "f"]) / 2
  cbind(s1, s2, s1 + s2, s3, s3, s1 + s2 + s3)
}
theta_of <- function(provinces, relative) {
  function(w, data) {
    mean_of <- function(v, rows) {
      ok <- rows & !is.na(data[[v]])
      sum(w[ok] * data[[v]][ok]) / sum(w[ok])
    }
    groups <- sort(unique(as.character(data[[provinces]])))
    M <- t(sapply(groups, function(g) sapply(names(ranges), mean_of, data[[provinces]] == g)))
    A <- t(sapply(names(ranges), mean_of, rep(TRUE, nrow(data))))
    P <- composites_of(M, M, relative)
    O <- composites_of(A, M, relative)
    D <- sweep(P, 2, O[1, ])
    out <- c(as.vector(t(P)), O[1, ], as.vector(t(D)))
    names(out) <- c(paste(rep(groups, each = 6), keys, sep = "|"), paste("", keys, sep = "|"),
                    paste(rep(paste0(groups, "-all"), each = 6), keys, sep = "|"))
    out
  }
}
S1 <- quote((1 / 4) * ((1 + 9 * (a0 / an)) + (1 + 9 * (b0 / bn))))
S2 <- quote((1 / 2) * (1 + 9 * (c0 / cn - 200) / 800))
S3 <- quote((1 / 2) * ((1 + 9 * (100 - e0 / en) / 100) + (1 + 9 * (100 - f0 / fn) / 100)))
D1 <- bquote(.(S1) + .(S2))
TOTAL <- bquote(.(D1) + .(S3))
linear <- list("sub_dimension:s1" = S1, "sub_dimension:s2" = S2, "dimension:d1" = D1,
               "sub_dimension:s3" = S3, "dimension:d2" = S3, "total" = TOTAL)
formula <- ~a0 + an + b0 + bn + c0 + cn + e0 + en + f0 + fn

clus1 <- prep(apiclus1)
boot <- read.csv("tests/data/api/replicates_boot.csv")
factors <- as.matrix(boot[match(clus1$dnum, boot$dnum), -1])
designs <- list(
  jkn_strat = as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw,
                                       data = prep(apistrat), fpc = ~fpc), type = "JKn"),
  jk1_clus = as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = clus1, fpc = ~fpc)),
  jk1_clus2 = as.svrepdesign(svydesign(id = ~dnum + snum, weights = ~pw, fpc = ~fpc1 + fpc2,
                                       data = prep(apiclus2))),
  boot_clus = svrepdesign(data = clus1, repweights = factors, weights = ~pw,
                          type = "bootstrap", combined.weights = FALSE)
)
for (nm in names(designs)) {
  des <- designs[[nm]]
  for (provinces in c("stype", "stype_awards")) {
    groups <- sort(unique(as.character(des$variables[[provinces]])))
    # linear composites: svycontrast of the totals, recomputed on every replicate
    for (g in c("", groups)) {
      sub <- if (g == "") des else des[des$variables[[provinces]] == g, ]
      tot <- svytotal(formula, sub, return.replicates = TRUE)
      for (key in names(linear)) {
        ct <- svycontrast(tot, linear[[key]])
        add(nm, "linear", provinces, g, key, "estimate", coef(ct))
        add(nm, "linear", provinces, g, key, "se", SE(ct))
      }
    }
    for (relative in list(character(0), c("c", "f"))) {
      inst <- if (length(relative)) "relative" else "linear"
      fit <- withReplicates(des, theta_of(provinces, relative))
      est <- coef(fit)
      se <- sqrt(diag(vcov(fit)))
      parts <- do.call(rbind, strsplit(names(est), "|", fixed = TRUE))
      if (inst == "linear") {  # the same numbers as svycontrast, by construction
        done <- do.call(rbind, rows)
        chk <- done[done$case == nm & done$provinces == provinces &
                    done$instrument == "linear" & done$stat == "se", ]
        mine <- se[paste(chk$domain, chk$composite, sep = "|")]
        stopifnot(isTRUE(all.equal(unname(mine), as.numeric(chk$value), tolerance = 1e-10)))
        keep <- grepl("-all$", parts[, 1])   # add only the differences
      } else {
        keep <- rep(TRUE, nrow(parts))
      }
      for (i in which(keep)) {
        add(nm, inst, provinces, parts[i, 1], parts[i, 2], "estimate", est[i])
        add(nm, inst, provinces, parts[i, 1], parts[i, 2], "se", se[i])
      }
      totals <- paste(groups, "total", sep = "|")
      V <- vcov(fit)[totals, totals]
      for (i in seq_along(groups)) for (j in seq_along(groups)) {
        add(nm, inst, provinces, groups[i], groups[j], "vcov_total", V[i, j])
      }
    }
  }
}
out <- do.call(rbind, rows)
out$version <- paste("R", getRversion(), "survey", packageVersion("survey"))
write.csv(out, "tests/r/papi_replicate_goldens.csv", row.names = FALSE)
cat(sprintf("# R %s, survey %s: %d rows\n", getRversion(), packageVersion("survey"), nrow(out)))
