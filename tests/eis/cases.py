"""Benchmark spectra that once went wrong, kept as test cases.

Parameters as drawn by benchmarks/eis_rct_recovery.py.
"""

# A 70-ohm grain-boundary arc at 1e4 Hz under a 4e6-ohm charge-transfer arc at 700 Hz: below 0.4 %
# noise the small arc is invisible (development spectrum 36, where R_ct came out 23 times too small
# when the spare pair split the tail).
HIDDEN_GB = {
    "R0": 22.7,
    "R1": 69.4,
    "CPE1_0": 3.86e-7,
    "CPE1_1": 0.853,
    "R2": 4.08e6,
    "CPE2_0": 1.94e-10,
    "CPE2_1": 0.852,
    "CPE3_0": 5.05e-6,
    "CPE3_1": 0.585,
}
# A visible grain-boundary arc and an R_ct arc whose apex (1e-3 Hz) lies below the window (f_min
# 0.03 Hz): the tail absorbs the rising half of the R_ct arc (development spectrum 56).
UNCLOSED_UNDER_TAIL = {
    "R0": 85.2,
    "R1": 164.0,
    "CPE1_0": 8.67e-8,
    "CPE1_1": 0.886,
    "R2": 1310.0,
    "CPE2_0": 0.0539,
    "CPE2_1": 0.844,
    "CPE3_0": 0.0162,
    "CPE3_1": 0.483,
}

# Held-out spectrum 209 (seed 7): a 250-ohm grain-boundary arc at 40 kHz beside a 1.1-Mohm
# charge-transfer arc at 20 Hz (n 0.78). On the global grid (n 0.75 or 0.85) the big arc's
# high-frequency flank misfits by more than the whole small arc, so no grid start had a pair
# there; the local fits put the spare pair on the tail and R_ct came out 15 times too small.
SMALL_GB_TOP = {
    "R0": 22.945529888539784,
    "R1": 251.7962227860201,
    "CPE1_0": 8.917292831237301e-08,
    "CPE1_1": 0.8584663087387198,
    "R2": 1075014.5052459026,
    "CPE2_0": 2.042349986218309e-08,
    "CPE2_1": 0.7831192086187928,
    "CPE3_0": 7.012697278655151e-06,
    "CPE3_1": 0.4918990033858897,
}
SMALL_GB_TOP_NOISE = 0.0011720419787256094  # of |Z|, 10 points a decade from 1e5 to 0.1 Hz

# Held-out spectrum 236 (seed 7): a well-resolved 550-ohm grain-boundary arc and a 54-ohm
# charge-transfer arc that the tail nearly hides. R_ct is uncertain, the grain boundary is not;
# the uncertain R_ct made the fit drop the grain-boundary arc and call it R_ct.
UNCERTAIN_RCT = {
    "R0": 66.90923882950418,
    "R1": 553.1367989817008,
    "CPE1_0": 1.2791084422786972e-08,
    "CPE1_1": 0.9481596542006939,
    "R2": 53.729377887959856,
    "CPE2_0": 0.0174931176658341,
    "CPE2_1": 0.7618071365561986,
    "CPE3_0": 0.5834000500061527,
    "CPE3_1": 0.50199332807879,
}
UNCERTAIN_RCT_NOISE = 0.0032028072110571043  # of |Z|, 10 points a decade from 3e5 to 0.03 Hz
