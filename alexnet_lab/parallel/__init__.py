"""``hydra/launcher=parallel``: a sweep on every device, one fresh worker process per device.

The launcher (``hydra_plugins/alexnet_lab_parallel_launcher``) keeps Hydra's side; this
package holds the rest: its options (:mod:`.conf`), which worker gets which GPU or cores
(:mod:`.devices`), the work units and what a dead worker leaves (:mod:`.units`), the worker
process (:mod:`.worker`), the parent's queue (:mod:`.pool`) and the progress display
(:mod:`.progress`).
"""
