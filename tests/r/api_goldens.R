# Reference numbers for tests/test_design.py, tests/test_estimate.py, tests/test_weighting.py.
#
# Run from the repository root:   Rscript tests/r/api_goldens.R
# Needs R and the survey package (Debian: apt-get install r-cran-survey). CI does not run this:
# the tests read tests/data/api/*.csv (written here from data(api)) and tests/r/api_goldens.csv.
# Produced with R 4.2.2 and survey 4.1-1; the versions are written into the golden file.
suppressMessages(library(survey))
data(api)

datadir <- "tests/data/api"
dir.create(datadir, showWarnings = FALSE, recursive = TRUE)
for (nm in c("apisrs", "apistrat", "apiclus1", "apiclus2", "apipop")) {
  d <- get(nm)
  d$fpc2 <- if (!is.null(d$fpc2)) as.vector(d$fpc2) else NULL
  write.csv(d, file.path(datadir, paste0(nm, ".csv")), row.names = FALSE, na = "")
}

rows <- list()
add <- function(case, stat, value, domain = "", variable = "", level = "") {
  value <- as.numeric(value)
  n <- max(length(value), length(domain), length(variable), length(level))
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, domain = rep_len(as.character(domain), n),
    variable = rep_len(as.character(variable), n), level = rep_len(as.character(level), n),
    stat = stat, value = sprintf("%.17g", rep_len(value, n)), stringsAsFactors = FALSE)
}
# svymean / svytotal result (one or more variables), with deff when present.
add_stat <- function(case, est, domain = "") {
  add(case, "estimate", coef(est), domain, names(coef(est)))
  add(case, "se", SE(est), domain, names(coef(est)))
  d <- attr(est, "deff")
  if (!is.null(d)) add(case, "deff", diag(as.matrix(d)), domain, names(coef(est)))
}
# svyby result for one variable: names are the domains.
add_by <- function(case, b, variable) {
  add(case, "estimate", coef(b), names(coef(b)), variable)
  add(case, "se", SE(b), names(coef(b)), variable)
  d <- tryCatch(deff(b), error = function(e) NULL)
  if (!is.null(d)) add(case, "deff", d, names(coef(b)), variable)
}
add_ciprop <- function(case, p, domain = "", variable = "") {
  add(case, "estimate", coef(p), domain, variable)
  add(case, "se", sqrt(vcov(p)), domain, variable)
  ci <- confint(p)
  add(case, "ci_low", ci[1], domain, variable)
  add(case, "ci_high", ci[2], domain, variable)
}

apisrs$sw <- as.numeric(apisrs$sch.wide == "Yes")
apistrat$sw <- as.numeric(apistrat$sch.wide == "Yes")
apiclus1$sw <- as.numeric(apiclus1$sch.wide == "Yes")
apiclus2$sw <- as.numeric(apiclus2$sch.wide == "Yes")

dsrs <- svydesign(id = ~1, fpc = ~fpc, data = apisrs)            # weights from fpc
dsrs_w <- svydesign(id = ~1, weights = ~pw, data = apisrs)        # with replacement
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dclus1_wr <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
designs <- list(srs = dsrs, srs_wr = dsrs_w, strat = dstrat, clus1 = dclus1,
                clus1_wr = dclus1_wr, clus2 = dclus2)

# --- means and totals, whole population, with deff
for (nm in names(designs)) {
  d <- designs[[nm]]
  add_stat(paste0(nm, "/mean"), svymean(~api00 + api99, d, deff = TRUE))
  add_stat(paste0(nm, "/total"), svytotal(~api00 + api.stu, d, deff = TRUE))
  add(paste0(nm, "/degf"), "df", degf(d))
  add(paste0(nm, "/weights"), "sum", sum(weights(d)))
}
# missing values: na.rm = TRUE
add_stat("srs/mean_na", svymean(~avg.ed, dsrs, na.rm = TRUE, deff = TRUE))
add_stat("clus1/mean_na", svymean(~acs.k3, dclus1, na.rm = TRUE, deff = TRUE))
add_stat("clus2/mean_na", svymean(~enroll, dclus2, na.rm = TRUE, deff = TRUE))
add_stat("clus2/total_na", svytotal(~enroll, dclus2, na.rm = TRUE, deff = TRUE))

# --- domains (svyby)
for (nm in c("strat", "clus1", "clus2")) {
  d <- designs[[nm]]
  add_by(paste0(nm, "/by_stype_mean"), svyby(~api00, ~stype, d, svymean, deff = TRUE), "api00")
  add_by(paste0(nm, "/by_stype_total"), svyby(~enroll, ~stype, d, svytotal, deff = TRUE,
                                              na.rm = TRUE), "enroll")
  for (s in c("E", "H", "M")) add(paste0(nm, "/by_stype_degf"), "df",
                                  degf(subset(d, stype == s)), s)
}
add_by("clus1/by_stype_mean_na", svyby(~avg.ed, ~stype, dclus1, svymean, deff = TRUE,
                                       na.rm = TRUE), "avg.ed")
add_by("clus1/by_schwide_mean", svyby(~api00, ~sch.wide, dclus1, svymean, deff = TRUE), "api00")

# --- proportions (svyciprop), whole and by stype
for (nm in c("srs", "strat", "clus1", "clus2")) {
  d <- designs[[nm]]
  for (m in c("logit", "beta", "mean", "xlogit")) {
    add_ciprop(paste0(nm, "/ciprop_", m), svyciprop(~sw, d, method = m), "", "sw")
    for (s in c("E", "H", "M")) {
      ds <- subset(d, stype == s)
      add_ciprop(paste0(nm, "/ciprop_by_stype_", m), svyciprop(~sw, ds, method = m), s, "sw")
    }
  }
}
# factor proportions (one row per level) through svymean
add_stat("clus1/prop_stype", svymean(~stype, dclus1, deff = TRUE))

# --- ratio
add(paste0("clus1/ratio"), "estimate", coef(svyratio(~api.stu, ~enroll, dclus1)))
add(paste0("clus1/ratio"), "se", SE(svyratio(~api.stu, ~enroll, dclus1)))
add("clus1/ratio", "deff", attr(svyratio(~api.stu, ~enroll, dclus1, deff = TRUE), "deff"))
br <- svyby(~api.stu, ~stype, denominator = ~enroll, design = dclus1, FUN = svyratio,
            deff = TRUE)
add("clus1/ratio_by_stype", "estimate", coef(br), names(coef(br)))
add("clus1/ratio_by_stype", "se", SE(br), names(coef(br)))
add("clus1/ratio_by_stype", "deff", deff(br), names(coef(br)))
r2 <- svyratio(~api.stu, ~enroll, dclus2, na.rm = TRUE)
add("clus2/ratio_na", "estimate", coef(r2))
add("clus2/ratio_na", "se", SE(r2))

# --- differences between domains (covariance through shared PSUs)
for (nm in c("clus1", "clus2")) {
  b <- svyby(~api00, ~stype, designs[[nm]], svymean, covmat = TRUE)
  for (pair in list(c("E", "H"), c("E", "M"), c("H", "M"))) {
    w <- setNames(c(0, 0, 0), c("E", "H", "M"))
    w[pair[1]] <- 1
    w[pair[2]] <- -1
    ct <- svycontrast(b, w)
    dom <- paste(pair, collapse = "-")
    add(paste0(nm, "/diff_stype"), "estimate", coef(ct), dom, "api00")
    add(paste0(nm, "/diff_stype"), "se", SE(ct), dom, "api00")
  }
}

# --- Rao-Scott chi-square (svychisq)
chis <- list(clus1 = list(dclus1, ~sch.wide + stype), strat = list(dstrat, ~sch.wide + stype),
             clus2 = list(dclus2, ~comp.imp + stype), clus1b = list(dclus1, ~awards + sch.wide))
for (nm in names(chis)) {
  for (st in c("F", "Chisq")) {
    t <- svychisq(chis[[nm]][[2]], chis[[nm]][[1]], statistic = st)
    add(paste0(nm, "/chisq_", st), "statistic", t$statistic)
    add(paste0(nm, "/chisq_", st), "p_value", t$p.value)
    add(paste0(nm, "/chisq_", st), "ndf", t$parameter[1])
    if (length(t$parameter) > 1) add(paste0(nm, "/chisq_", st), "ddf", t$parameter[2])
  }
}

# chi-square within domains: svychisq on subset(design, domain)
for (s in c("E", "M")) {
  t <- svychisq(~awards + sch.wide, subset(dclus1, stype == s))
  add("clus1/chisq_by_stype_F", "statistic", t$statistic, s)
  add("clus1/chisq_by_stype_F", "p_value", t$p.value, s)
  add("clus1/chisq_by_stype_F", "ddf", t$parameter[2], s)
}
# Character columns, as the CSV gives them to Python: with factors, svytable() keeps the
# level H that the yr.rnd == "Yes" domain lacks and R's statistic there is NaN.
apiclus2c <- transform(apiclus2, stype = as.character(stype),
                       comp.imp = as.character(comp.imp))
dclus2c <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2c)
for (s in c("No", "Yes")) {
  t <- svychisq(~comp.imp + stype, subset(dclus2c, yr.rnd == s))
  add("clus2/chisq_by_yrrnd_F", "statistic", t$statistic, s)
  add("clus2/chisq_by_yrrnd_F", "p_value", t$p.value, s)
  add("clus2/chisq_by_yrrnd_F", "ddf", t$parameter[2], s)
}

# --- lonely PSUs: a stratum holding a single cluster
apiclus1$lstr <- ifelse(apiclus1$dnum == 413, "A", ifelse(apiclus1$dnum < 450, "B", "C"))
dlonely <- svydesign(id = ~dnum, strata = ~lstr, weights = ~pw, data = apiclus1)
for (lp in c("certainty", "remove", "adjust", "average")) {
  options(survey.lonely.psu = lp)
  add_stat(paste0("lonely_", lp, "/mean"), svymean(~api00, dlonely))
  add_by(paste0("lonely_", lp, "/by_stype_mean"), svyby(~api00, ~stype, dlonely, svymean), "api00")
}
options(survey.lonely.psu = "fail")

# --- post-stratification and raking
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
dclus1p <- postStratify(dclus1, ~stype, pop.types)
add_stat("clus1_ps/mean", svymean(~api00 + api99, dclus1p, deff = TRUE))
add_stat("clus1_ps/total", svytotal(~enroll, dclus1p, deff = TRUE))
add_by("clus1_ps/by_stype_mean", svyby(~api00, ~stype, dclus1p, svymean), "api00")
add_by("clus1_ps/by_schwide_mean", svyby(~api00, ~sch.wide, dclus1p, svymean, deff = TRUE),
       "api00")
add_ciprop("clus1_ps/ciprop_logit", svyciprop(~sw, dclus1p, method = "logit"), "", "sw")
add("clus1_ps/weights", "weight", sort(unique(round(weights(dclus1p), 10))))
dclus2p <- postStratify(dclus2, ~stype, pop.types)
add_stat("clus2_ps/mean", svymean(~api00, dclus2p, deff = TRUE))
add_by("clus2_ps/by_schwide_mean", svyby(~api00, ~sch.wide, dclus2p, svymean), "api00")

dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide))
add_stat("clus1_rake/mean", svymean(~api00, dclus1r, deff = TRUE))
add_stat("clus1_rake/total", svytotal(~enroll, dclus1r))
add_by("clus1_rake/by_stype_mean", svyby(~api00, ~stype, dclus1r, svymean), "api00")
add_by("clus1_rake/by_awards_mean", svyby(~api00, ~awards, dclus1r, svymean), "api00")
add("clus1_rake/weights", "weight", weights(dclus1r), seq_len(nrow(apiclus1)))
dclus1r_tight <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                      control = list(maxit = 100, epsilon = 1e-12))
add_stat("clus1_rake_tight/mean", svymean(~api00, dclus1r_tight))
dstratr <- rake(dstrat, list(~sch.wide, ~awards),
                list(data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122)),
                     data.frame(awards = c("No", "Yes"), Freq = c(2236, 3958))))
add_stat("strat_rake/mean", svymean(~api00, dstratr))
add_by("strat_rake/by_stype_mean", svyby(~api00, ~stype, dstratr, svymean), "api00")

# calibrated designs: differences, chi-square and proportions by domain
apiclus1$aw <- as.numeric(apiclus1$awards == "Yes")
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide))
dclus1p <- postStratify(dclus1, ~stype, pop.types)
# (svyby(covmat=TRUE) fails on raked designs in survey 4.1-1: use domain means as ratios)
dclus1r <- update(dclus1r, dE = as.numeric(stype == "E"), dH = as.numeric(stype == "H"),
                  yE = api00 * (stype == "E"), yH = api00 * (stype == "H"))
ratios <- svyratio(~yE + yH, ~dE + dH, dclus1r, covmat = TRUE)
ct <- svycontrast(ratios, c(1, 0, 0, -1))  # yE/dE - yH/dH
add("clus1_rake/diff_stype", "estimate", coef(ct), "E-H", "api00")
add("clus1_rake/diff_stype", "se", SE(ct), "E-H", "api00")
for (st in c("F", "Chisq")) {
  t <- svychisq(~awards + stype, dclus1p, statistic = st)
  add(paste0("clus1_ps/chisq_", st), "statistic", t$statistic)
  add(paste0("clus1_ps/chisq_", st), "p_value", t$p.value)
  add(paste0("clus1_ps/chisq_", st), "ndf", t$parameter[1])
  if (length(t$parameter) > 1) add(paste0("clus1_ps/chisq_", st), "ddf", t$parameter[2])
}
for (m in c("logit", "beta")) {
  for (s in c("E", "H", "M")) {
    add_ciprop(paste0("clus1_rake/ciprop_by_stype_", m),
               svyciprop(~aw, subset(dclus1r, stype == s), method = m), s, "aw")
  }
}

# --- trimming
dtrim <- trimWeights(dstrat, upper = 40, lower = 18)
add_stat("strat_trim/mean", svymean(~api00, dtrim))
add("strat_trim/weights", "weight", sort(unique(round(weights(dtrim), 10))))

golden <- do.call(rbind, rows)
golden <- rbind(golden, data.frame(case = "versions", domain = "", variable = "",
  level = c(R.version.string, as.character(packageVersion("survey"))),
  stat = c("R", "survey"), value = "", stringsAsFactors = FALSE))
write.csv(golden, "tests/r/api_goldens.csv", row.names = FALSE)
cat("wrote", nrow(golden), "golden numbers\n")
