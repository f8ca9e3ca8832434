# Reference values for revict.models, computed with R's survival and cmprsk packages
# on R's public datasets. Run from this folder (`make reference`); installs nothing.
# Writes data/*.csv (the exact inputs) and reference.json (values, R call, tolerance).
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
})

# ---- a minimal JSON writer (jsonlite is not assumed to be installed) ----------------
json_num <- function(x) {
  ifelse(is.na(x) | !is.finite(x), "null", sprintf("%.17g", x))
}
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.null(x)) return("null")
  if (is.list(x)) {
    nm <- names(x)
    if (!is.null(nm)) {
      items <- vapply(seq_along(x), function(i)
        paste0(inner, '"', nm[i], '": ', to_json(x[[i]], inner)), "")
      return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
    }
    items <- vapply(x, function(e) paste0(inner, to_json(e, inner)), "")
    return(paste0("[\n", paste(items, collapse = ",\n"), "\n", indent, "]"))
  }
  if (is.character(x) || is.factor(x)) {
    s <- paste0('"', gsub('"', '\\\\"', as.character(x)), '"')
    if (length(x) == 1 && is.null(attr(x, "array"))) return(s)
    return(paste0("[", paste(s, collapse = ", "), "]"))
  }
  if (is.logical(x) && length(x) == 1) return(ifelse(x, "true", "false"))
  s <- json_num(as.numeric(x))
  if (length(x) == 1 && is.null(attr(x, "array"))) return(s)
  paste0("[", paste(s, collapse = ", "), "]")
}
arr <- function(x) { attr(x, "array") <- TRUE; x }   # keep length-1 vectors as arrays

cases <- list()
add_case <- function(id, kind, data, call, tolerance, args, values) {
  cases[[length(cases) + 1]] <<- list(id = id, kind = kind, data = data, call = call,
                                      tolerance = tolerance, args = args, values = values)
}

# ---- data ---------------------------------------------------------------------------
lung2 <- na.omit(data.frame(time = lung$time, status = lung$status - 1L, age = lung$age,
                            sex = lung$sex, ph_ecog = lung$ph.ecog))
lung2$w <- (seq_len(nrow(lung2)) %% 3) + 1   # case weights 1, 2, 3 for the weighted case
vet <- data.frame(time = veteran$time, status = veteran$status, trt = veteran$trt,
                  celltype = as.character(veteran$celltype), karno = veteran$karno, age = veteran$age)
bl <- data.frame(id = bladder2$id, rx = bladder2$rx, number = bladder2$number, size = bladder2$size,
                 start = bladder2$start, stop = bladder2$stop, event = bladder2$event, enum = bladder2$enum)
mg <- data.frame(id = mgus2$id, sex = as.character(mgus2$sex),
                 etime = ifelse(mgus2$pstat == 0, mgus2$futime, mgus2$ptime),
                 event = ifelse(mgus2$pstat == 0, 2 * mgus2$death, 1))
write.csv(lung2, "data/lung.csv", row.names = FALSE)
write.csv(vet, "data/veteran.csv", row.names = FALSE)
write.csv(bl, "data/bladder2.csv", row.names = FALSE)
write.csv(mg, "data/mgus2.csv", row.names = FALSE)
vet$celltype <- factor(vet$celltype, levels = c("squamous", "smallcell", "adeno", "large"))

# ---- Kaplan-Meier -------------------------------------------------------------------
km_values <- function(fit) {
  s <- summary(fit, censored = TRUE)
  out <- list(time = arr(s$time), n_risk = arr(s$n.risk), n_event = arr(s$n.event),
              n_censor = arr(s$n.censor), surv = arr(s$surv), std_err = arr(s$std.err),
              lower = arr(s$lower), upper = arr(s$upper))
  if (!is.null(s$strata)) out$strata <- arr(as.character(s$strata))
  out
}
tolkm <- list(default = 1e-6)
add_case("km_lung_log", "km", "lung", "survfit(Surv(time, status) ~ 1, lung)", tolkm,
         list(conf_type = "log"), km_values(survfit(Surv(time, status) ~ 1, lung2)))
add_case("km_lung_loglog", "km", "lung", "survfit(Surv(time, status) ~ 1, lung, conf.type = 'log-log')",
         tolkm, list(conf_type = "log-log"),
         km_values(survfit(Surv(time, status) ~ 1, lung2, conf.type = "log-log")))
add_case("km_veteran_trt_log", "km", "veteran", "survfit(Surv(time, status) ~ trt, veteran)", tolkm,
         list(conf_type = "log", group = "trt"), km_values(survfit(Surv(time, status) ~ trt, vet)))
add_case("km_veteran_loglog", "km", "veteran",
         "survfit(Surv(time, status) ~ 1, veteran, conf.type = 'log-log')", tolkm,
         list(conf_type = "log-log"),
         km_values(survfit(Surv(time, status) ~ 1, vet, conf.type = "log-log")))

# ---- log-rank -----------------------------------------------------------------------
lr_values <- function(sd) {
  list(chisq = sd$chisq, df = length(sd$n) - 1, p = pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE),
       observed = arr(as.numeric(sd$obs)), expected = arr(as.numeric(sd$exp)),
       groups = arr(sub("^[^=]*=", "", names(sd$n))))
}
tollr <- list(default = 1e-4)
add_case("logrank_lung_sex", "logrank", "lung", "survdiff(Surv(time, status) ~ sex, lung)", tollr,
         list(group = "sex"), lr_values(survdiff(Surv(time, status) ~ sex, lung2)))
add_case("logrank_veteran_celltype", "logrank", "veteran", "survdiff(Surv(time, status) ~ celltype, veteran)",
         tollr, list(group = "celltype"), lr_values(survdiff(Surv(time, status) ~ celltype, vet)))

# ---- Cox (Efron) and cox.zph ----------------------------------------------------------
cox_values <- function(fit, terms) {
  s <- summary(fit)
  list(terms = arr(terms), coef = arr(unname(coef(fit))), se = arr(unname(sqrt(diag(fit$var)))),
       loglik = arr(fit$loglik), concordance = unname(fit$concordance["concordance"]),
       n = fit$n, n_events = fit$nevent)
}
tolcox <- list(coef = 1e-6, se = 1e-5, loglik = 1e-6, concordance = 1e-6)
f_lung <- coxph(Surv(time, status) ~ age + sex + ph_ecog, lung2, ties = "efron")
add_case("cox_lung", "cox", "lung", "coxph(Surv(time, status) ~ age + sex + ph.ecog, lung)", tolcox,
         list(numeric = arr(c("age", "sex", "ph_ecog")), categorical = list(), reference = list()),
         cox_values(f_lung, c("age", "sex", "ph_ecog")))
f_lung_w <- coxph(Surv(time, status) ~ age + sex + ph_ecog, lung2, weights = w)
add_case("cox_lung_weights", "cox", "lung",
         "coxph(Surv(time, status) ~ age + sex + ph.ecog, lung, weights = w)  # w = row %% 3 + 1",
         list(coef = 1e-6, se = 1e-5, loglik = 1e-6),
         list(numeric = arr(c("age", "sex", "ph_ecog")), categorical = list(), reference = list(), weights = "w"),
         cox_values(f_lung_w, c("age", "sex", "ph_ecog")))
f_vet <- coxph(Surv(time, status) ~ trt + celltype + karno, vet, ties = "efron")
vet_terms <- c("trt", "celltype=smallcell", "celltype=adeno", "celltype=large", "karno")
add_case("cox_veteran", "cox", "veteran", "coxph(Surv(time, status) ~ trt + celltype + karno, veteran)",
         tolcox, list(numeric = arr(c("trt", "karno")), categorical = arr("celltype"),
                      reference = list(celltype = "squamous"), levels = list(celltype = arr(levels(vet$celltype))),
                      order = arr(c("trt", "celltype", "karno"))),
         cox_values(f_vet, vet_terms))
f_vet_s <- coxph(Surv(time, status) ~ karno + age + trt + strata(celltype), vet)
add_case("cox_veteran_strata", "cox", "veteran",
         "coxph(Surv(time, status) ~ karno + age + trt + strata(celltype), veteran)", tolcox,
         list(numeric = arr(c("karno", "age", "trt")), categorical = list(), reference = list(),
              strata = "celltype"),
         cox_values(f_vet_s, c("karno", "age", "trt")))

zph_values <- function(fit) {
  z <- cox.zph(fit)
  list(terms = arr(rownames(z$table)), chisq = arr(unname(z$table[, "chisq"])),
       df = arr(unname(z$table[, "df"])), p = arr(unname(z$table[, "p"])))
}
tolzph <- list(default = 1e-4)
add_case("zph_lung", "zph", "lung", "cox.zph(coxph(Surv(time, status) ~ age + sex + ph.ecog, lung))", tolzph,
         list(numeric = arr(c("age", "sex", "ph_ecog")), categorical = list(), reference = list()),
         zph_values(f_lung))
add_case("zph_lung_weights", "zph", "lung",
         "cox.zph(coxph(Surv(time, status) ~ age + sex + ph.ecog, lung, weights = w))", tolzph,
         list(numeric = arr(c("age", "sex", "ph_ecog")), categorical = list(), reference = list(), weights = "w"),
         zph_values(f_lung_w))
add_case("zph_veteran_strata", "zph", "veteran",
         "cox.zph(coxph(Surv(time, status) ~ karno + age + trt + strata(celltype), veteran))", tolzph,
         list(numeric = arr(c("karno", "age", "trt")), categorical = list(), reference = list(),
              strata = "celltype"),
         zph_values(f_vet_s))
add_case("zph_veteran", "zph", "veteran",
         "cox.zph(coxph(Surv(time, status) ~ trt + celltype + karno, veteran))", tolzph,
         list(numeric = arr(c("trt", "karno")), categorical = arr("celltype"),
              reference = list(celltype = "squamous"), levels = list(celltype = arr(levels(vet$celltype))), order = arr(c("trt", "celltype", "karno"))),
         zph_values(f_vet))

# ---- concordance of a coxph fit and its standard error -----------------------------------
# fit$concordance is concordancefit(y, lp, strata, weights, reverse = TRUE): Harrell's C
# (timewt = "n", score ties 1/2) and std = sqrt(var), the infinitesimal-jackknife SE shown
# as se(C) by summary(fit). Case weights w = row %% 3 + 1 (1, 2, 3) as in cox_lung_weights.
# Tolerances for this kind are relative.
conc_values <- function(fit) {
  cf <- fit$concordance
  again <- concordance(fit)   # the documented user-level call gives the same numbers
  stopifnot(isTRUE(all.equal(unname(cf["concordance"]), again$concordance, tolerance = 1e-12)),
            isTRUE(all.equal(unname(cf["std"]), sqrt(again$var), tolerance = 1e-12)))
  list(concordance = unname(cf["concordance"]), concordance_se = unname(cf["std"]),
       concordant = unname(cf["concordant"]), discordant = unname(cf["discordant"]),
       tied_risk = unname(cf["tied.x"]))
}
tolconc <- list(concordance = 1e-6, concordance_se = 1e-6, counts = 1e-6)
lung_args <- list(numeric = arr(c("age", "sex", "ph_ecog")), categorical = list(), reference = list())
add_case("conc_lung", "concordance", "lung",
         "coxph(Surv(time, status) ~ age + sex + ph.ecog, lung)$concordance", tolconc, lung_args,
         conc_values(f_lung))
add_case("conc_lung_weights", "concordance", "lung",
         "coxph(Surv(time, status) ~ age + sex + ph.ecog, lung, weights = w)$concordance  # w = row %% 3 + 1",
         tolconc, c(lung_args, list(weights = "w")), conc_values(f_lung_w))
add_case("conc_lung_strata", "concordance", "lung",
         "coxph(Surv(time, status) ~ age + ph.ecog + strata(sex), lung)$concordance", tolconc,
         list(numeric = arr(c("age", "ph_ecog")), categorical = list(), reference = list(), strata = "sex"),
         conc_values(coxph(Surv(time, status) ~ age + ph_ecog + strata(sex), lung2)))
add_case("conc_veteran", "concordance", "veteran",
         "coxph(Surv(time, status) ~ trt + celltype + karno, veteran)$concordance", tolconc,
         list(numeric = arr(c("trt", "karno")), categorical = arr("celltype"),
              reference = list(celltype = "squamous"), levels = list(celltype = arr(levels(vet$celltype))),
              order = arr(c("trt", "celltype", "karno"))),
         conc_values(f_vet))

# ---- recurrent events: Andersen-Gill and PWP with cluster-robust SE --------------------
rob_values <- function(fit) {
  list(terms = arr(names(coef(fit))), coef = arr(unname(coef(fit))),
       se = arr(unname(sqrt(diag(fit$naive.var)))), robust_se = arr(unname(sqrt(diag(fit$var)))),
       loglik = arr(fit$loglik))
}
tolrob <- list(coef = 1e-6, se = 1e-5, robust_se = 1e-5, loglik = 1e-6)
add_case("ag_bladder2", "ag", "bladder2",
         "coxph(Surv(start, stop, event) ~ rx + number + size + cluster(id), bladder2)", tolrob,
         list(covariates = arr(c("rx", "number", "size"))),
         rob_values(coxph(Surv(start, stop, event) ~ rx + number + size + cluster(id), bl)))
add_case("pwp_gap_bladder2", "pwp_gap", "bladder2",
         "coxph(Surv(stop - start, event) ~ rx + number + size + strata(enum) + cluster(id), bladder2)",
         tolrob, list(covariates = arr(c("rx", "number", "size"))),
         rob_values(coxph(Surv(stop - start, event) ~ rx + number + size + strata(enum) + cluster(id), bl)))
add_case("pwp_total_bladder2", "pwp_total", "bladder2",
         "coxph(Surv(start, stop, event) ~ rx + number + size + strata(enum) + cluster(id), bladder2)",
         tolrob, list(covariates = arr(c("rx", "number", "size"))),
         rob_values(coxph(Surv(start, stop, event) ~ rx + number + size + strata(enum) + cluster(id), bl)))

# ---- mean cumulative function (Nelson-Aalen with robust variance by id) ----------------
mcf_fit <- survfit(Surv(start, stop, event) ~ 1, bl, id = id)
add_case("mcf_bladder2", "mcf", "bladder2", "survfit(Surv(start, stop, event) ~ 1, bladder2, id = id)",
         list(default = 1e-6), list(),
         list(time = arr(mcf_fit$time), n_risk = arr(mcf_fit$n.risk), n_event = arr(mcf_fit$n.event),
              mcf = arr(mcf_fit$cumhaz), std_err = arr(mcf_fit$std.chaz)))

# ---- competing risks: Aalen-Johansen (survfit) and cmprsk::cuminc ---------------------
aj <- survfit(Surv(etime, factor(event)) ~ 1, mg)
ci <- cuminc(mg$etime, mg$event, cencode = 0)
tp <- sort(unique(mg$etime))
tpt <- timepoints(ci, tp)
add_case("aj_mgus2", "aj", "mgus2", "survfit(Surv(etime, factor(event)) ~ 1, mgus2); cmprsk::cuminc(etime, event)",
         list(default = 1e-6), list(),
         list(time = arr(aj$time), n_risk = arr(aj$n.risk[, 1]),
              cif_1 = arr(aj$pstate[, 2]), cif_2 = arr(aj$pstate[, 3]), surv = arr(aj$pstate[, 1]),
              cuminc_time = arr(tp), cuminc_est_1 = arr(unname(tpt$est[1, ])),
              cuminc_var_1 = arr(unname(tpt$var[1, ])), cuminc_est_2 = arr(unname(tpt$est[2, ])),
              cuminc_var_2 = arr(unname(tpt$var[2, ]))))

# ---- restricted mean survival time (survfit's rmean and its SE) -----------------------
rm_values <- function(fit, tau) {
  tb <- summary(fit, rmean = tau)$table
  list(groups = arr(sub("^[^=]*=", "", rownames(tb))), rmean = arr(unname(tb[, "rmean"])),
       se = arr(unname(tb[, "se(rmean)"])))
}
add_case("rmst_lung_sex", "rmst", "lung", "summary(survfit(Surv(time, status) ~ sex, lung), rmean = 730)",
         list(default = 1e-6), list(group = "sex", tau = 730),
         rm_values(survfit(Surv(time, status) ~ sex, lung2), 730))
add_case("rmst_veteran_trt", "rmst", "veteran",
         "summary(survfit(Surv(time, status) ~ trt, veteran), rmean = 365)",
         list(default = 1e-6), list(group = "trt", tau = 365),
         rm_values(survfit(Surv(time, status) ~ trt, vet), 365))

meta <- list(r_version = R.version.string, survival = as.character(packageVersion("survival")),
             cmprsk = as.character(packageVersion("cmprsk")),
             note = "Generated by tests/reference/r_reference.R; do not edit by hand.")
writeLines(to_json(list(meta = meta, cases = cases)), "reference.json")
cat("wrote reference.json with", length(cases), "cases\n")
