"""The COINr side of the benchmarks: Rscript programs doing what the ``kechuang index`` commands do.

COINr 1.1.x (W. Becker, EC JRC; https://github.com/bluefoxr/COINr) is not a dependency of the project: the
harness writes the R programs below into a temporary folder and runs them with ``Rscript`` when R and COINr are
installed (``make bench-deps``), and says so when they are not. The R library is found as R finds it
(``R_LIBS_USER``, ``R_LIBS``, the site library).

* ``build.R iData.csv iMeta.csv OUT`` — the ASEM build of ``asem_variant_a.yaml``, i.e. COINr's
  ``build_example_coin()`` on the same CSV files: ``new_coin`` → ``Denominate`` → ``Impute`` (``i_mean_grp`` by
  ``EurAsia_group``) → ``Screen`` (``byNA``, 0.9) → ``Treat`` (winmax 5) → ``Normalise`` (min-max [0, 100]) →
  ``Aggregate`` (``a_amean``); then every data set, the results table (scores and ranks), the effective weights
  and the treatment log are written as CSV, as ``kechuang index build`` writes its tables.
* ``sa.R iData.csv iMeta.csv N`` — the same build, then ``get_sensitivity(SA_type = "SA", N, Nboot = 100)`` with
  the four inputs of COINr's sensitivity vignette (``examples/ua_coinr_vignette.yaml``): Winsorisation cap 1–5,
  min-max [1, 100] or z-score (10, 2), ±25 % noise on the weights of levels 2 and 3 (100 noisy weight sets from
  ``get_noisy_weights``, as the vignette does), arithmetic or geometric mean; N·(d + 2) = 6N regenerations.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["BUILD_R", "SA_R", "coinr_version", "write_scripts"]

_BUILD = r"""
suppressPackageStartupMessages(library(COINr))
args <- commandArgs(trailingOnly = TRUE)
iData <- read.csv(args[1], check.names = FALSE, na.strings = c("", "NA"))
iMeta <- read.csv(args[2], na.strings = c("", "NA"))
coin <- new_coin(iData, iMeta, level_names = c("Indicator", "Pillar", "Sub-index", "Index"), quietly = TRUE)
coin <- Denominate(coin, dset = "Raw")
coin <- Impute(coin, dset = "Denominated", f_i = "i_mean_grp", use_group = "EurAsia_group")
coin <- Screen(coin, dset = "Imputed", dat_thresh = 0.9, unit_screen = "byNA")
coin <- Treat(coin, dset = "Screened", global_specs = list(f1_para = list(winmax = 5)))
coin <- Normalise(coin, dset = "Treated", global_specs = list(f_n = "n_minmax", f_n_para = list(c(0, 100))))
coin <- Aggregate(coin, dset = "Normalised", f_ag = "a_amean")
"""

BUILD_R = _BUILD + r"""
out <- args[3]
dir.create(out, showWarnings = FALSE, recursive = TRUE)
for (d in names(coin$Data)) {
  write.csv(coin$Data[[d]], file.path(out, paste0(d, ".csv")), row.names = FALSE)
}
write.csv(get_results(coin, dset = "Aggregated", tab_type = "Full"), file.path(out, "results.csv"), row.names = FALSE)
write.csv(get_results(coin, dset = "Aggregated", tab_type = "Full", also_get = "none", out2 = "df",
                      use = "ranks"), file.path(out, "ranks.csv"), row.names = FALSE)
write.csv(get_eff_weights(coin, out2 = "df"), file.path(out, "weights.csv"), row.names = FALSE)
write.csv(coin$Analysis$Treated$Dets_Table, file.path(out, "treatment.csv"), row.names = FALSE)
"""

SA_R = _BUILD + r"""
N <- as.integer(args[3])
set.seed(1)
l_winmax <- list(Address = "$Log$Treat$global_specs$f1_para$winmax", Distribution = 1:5, Type = "discrete")
norm_alts <- list(list(f_n = "n_minmax", f_n_para = list(c(1, 100))),
                  list(f_n = "n_zscore", f_n_para = list(c(10, 2))))
l_norm <- list(Address = "$Log$Normalise$global_specs", Distribution = norm_alts, Type = "discrete")
noisy_wts <- get_noisy_weights(w = coin$Meta$Weights$Original,
                               noise_specs = data.frame(Level = c(2, 3), NoiseFactor = c(0.25, 0.25)), Nrep = 100)
l_weights <- list(Address = "$Log$Aggregate$w", Distribution = noisy_wts, Type = "discrete")
l_agg <- list(Address = "$Log$Aggregate$f_ag", Distribution = c("a_amean", "a_gmean"), Type = "discrete")
SA_specs <- list(Winmax = l_winmax, Normalisation = l_norm, Weights = l_weights, Aggregation = l_agg)
started <- proc.time()[["elapsed"]]
SA_res <- suppressMessages(get_sensitivity(coin, SA_specs = SA_specs, N = N, SA_type = "SA", dset = "Aggregated",
                                           iCode = "Index", Nboot = 100))
cat(sprintf("get_sensitivity: %.3f s\n", proc.time()[["elapsed"]] - started))
print(SA_res$Sensitivity)
"""


def rscript() -> str | None:
    """The ``Rscript`` executable, or ``None`` when R is not installed."""
    return shutil.which("Rscript")


def coinr_version() -> tuple[str | None, str]:
    """``(version, "")`` of the installed COINr, or ``(None, why not)``."""
    exe = rscript()
    if exe is None:
        return None, "R is not installed (no `Rscript` on PATH; `make bench-deps` installs it)"
    done = subprocess.run([exe, "-e", 'cat(as.character(packageVersion("COINr")))'], capture_output=True,
                          text=True, env=dict(os.environ), timeout=120)
    if done.returncode != 0:
        return None, ("R is installed but COINr is not (`make bench-deps COINR_SRC=<COINr source tree>` installs it "
                      f"into BENCH_R_LIB): {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}")
    return done.stdout.strip(), ""


def write_scripts(folder: Path) -> tuple[Path, Path]:
    """Write ``build.R`` and ``sa.R`` into ``folder`` and return their paths."""
    build, sa = folder / "build.R", folder / "sa.R"
    build.write_text(BUILD_R, encoding="utf-8")
    sa.write_text(SA_R, encoding="utf-8")
    return build, sa
