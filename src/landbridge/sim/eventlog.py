"""The typed event log both engines write, and its Arrow/Parquet form.

One row per event: ``time_h`` (hours from the start), ``replication``, ``train_id`` (per
replication), ``class`` and ``facility`` (dictionary-encoded names; facility is null at the
origin and the destination), ``event`` and ``sailing`` (ferry sailing number, -1 otherwise).

Events: ``depart`` (train leaves its origin), ``arrive`` (at a facility queue, or at its
destination when the facility is null), ``start`` (service starts; at a ferry: boards a vessel),
``sail`` (its vessel leaves), ``end`` (service ends; at a ferry: the vessel lands).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from landbridge.outputs import atomic_file
from landbridge.sim.system import CorridorSystem


class Event(IntEnum):
    DEPART = 0
    ARRIVE = 1
    START = 2
    SAIL = 3
    END = 4


EVENT_NAMES = tuple(e.name.lower() for e in Event)
NO_FACILITY = -1


@dataclass(frozen=True)
class EventLog:
    """Raw engine output for one replication, as parallel arrays in processing order."""

    replication: int
    time_h: np.ndarray  # float64
    train: np.ndarray  # int32
    train_class: np.ndarray  # int16, class of each event's train
    facility: np.ndarray  # int16, NO_FACILITY at origin/destination
    event: np.ndarray  # int8, Event
    sailing: np.ndarray  # int32, -1 unless a ferry event

    def __len__(self) -> int:
        return int(self.time_h.shape[0])


def schema() -> pa.Schema:
    names = pa.dictionary(pa.int16(), pa.string())
    return pa.schema(
        [
            pa.field("time_h", pa.float64(), nullable=False),
            pa.field("replication", pa.int32(), nullable=False),
            pa.field("train_id", pa.int32(), nullable=False),
            pa.field("class", names, nullable=False),
            pa.field("facility", names),
            pa.field("event", pa.dictionary(pa.int8(), pa.string()), nullable=False),
            pa.field("sailing", pa.int32(), nullable=False),
        ]
    )


def to_arrow(logs: list[EventLog], system: CorridorSystem) -> pa.Table:
    """One Arrow table (schema ``schema()``) from the logs of several replications."""
    if logs:
        cat = {
            f: np.concatenate([getattr(log, f) for log in logs])
            for f in EventLog.__dataclass_fields__
            if f != "replication"
        }
        rep = np.concatenate([np.full(len(log), log.replication, dtype=np.int32) for log in logs])
    else:
        cat = {
            "time_h": np.zeros(0),
            "train": np.zeros(0, np.int32),
            "train_class": np.zeros(0, np.int16),
            "facility": np.zeros(0, np.int16),
            "event": np.zeros(0, np.int8),
            "sailing": np.zeros(0, np.int32),
        }
        rep = np.zeros(0, dtype=np.int32)
    fac = cat["facility"].astype(np.int16)
    columns = [
        pa.array(cat["time_h"], pa.float64()),
        pa.array(rep, pa.int32()),
        pa.array(cat["train"].astype(np.int32), pa.int32()),
        pa.DictionaryArray.from_arrays(
            pa.array(cat["train_class"].astype(np.int16)),
            pa.array(list(system.class_id), pa.string()),
        ),
        pa.DictionaryArray.from_arrays(
            pa.array(fac, mask=fac == NO_FACILITY), pa.array(list(system.facility_id), pa.string())
        ),
        pa.DictionaryArray.from_arrays(
            pa.array(cat["event"].astype(np.int8)), pa.array(list(EVENT_NAMES), pa.string())
        ),
        pa.array(cat["sailing"].astype(np.int32), pa.int32()),
    ]
    return pa.Table.from_arrays(columns, schema=schema())


def write_parquet(table: pa.Table, path: Path) -> Path:
    """Write the log to Parquet through the output guard (a regular file only, atomically)."""
    with atomic_file(path, "event log") as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return Path(path)
