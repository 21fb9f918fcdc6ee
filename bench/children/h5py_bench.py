#!/usr/bin/env python3
"""h5py side of `npm run bench`: times its own loops and prints one JSON line.

argv[1] is a JSON request:
  {"cmd": "info"}
  {"cmd": "chunks", "file", "dset", "n"}          -> byte offset and size of the chunk of frames 0..n-1
  {"cmd": "read", "file", "dset", "n", "warmup", "variants"}
        variants: "getitem" (ds[i]), "read_direct" (ds.read_direct(out, np.s_[i])),
                  "getitem_nocache" (ds[i] with rdcc_nbytes=0, the chunk cache h5swmr uses)
  {"cmd": "keys", "file", "dset", "polls"}        -> a swmr_tools 0.9 KeyFollower poll (refresh,
        read every key, float64 merge, first zero), timed
  {"cmd": "types-write", "file", "n"}             -> the types case's file: n variable-length strings
        (/strings) and n compound records (/records: index i8, x f8, y f4, name S12, ok bool)
  {"cmd": "types-read", "file", "rounds"}         -> per round, seconds of: strings ds[()], records
        ds[()] (a structured array), records ds[()].tolist() (one tuple per record)
Frames are read from a finished file opened with swmr=True (as a follower would), default chunk
cache unless the variant says otherwise.
"""
import json
import sys
import time


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    req = json.loads(sys.argv[1])
    try:
        import numpy as np
        import h5py
    except Exception as e:  # noqa: BLE001
        out({"ok": False, "error": f"h5py not importable: {e}"})
        return
    cmd = req["cmd"]
    if cmd == "info":
        out({"ok": True, "h5py": h5py.version.version, "numpy": np.__version__,
             "hdf5": h5py.version.hdf5_version, "python": sys.version.split()[0]})
        return

    if cmd == "chunks":
        with h5py.File(req["file"], "r", swmr=True) as f:
            ds = f[req["dset"]]
            rank = len(ds.shape)
            chunks = []
            for i in range(req["n"]):
                info = ds.id.get_chunk_info_by_coord((i,) + (0,) * (rank - 1))
                chunks.append([int(info.byte_offset), int(info.size)])
        out({"ok": True, "chunks": chunks})
        return

    if cmd == "read":
        n = req["n"]
        warmup = min(n, req.get("warmup", 50))
        results = {}
        for variant in req["variants"]:
            kw = {"rdcc_nbytes": 0} if variant == "getitem_nocache" else {}
            with h5py.File(req["file"], "r", swmr=True, **kw) as f:
                ds = f[req["dset"]]
                mod = 1 << (8 * ds.dtype.itemsize) if ds.dtype.kind == "u" and ds.dtype.itemsize < 4 else 1 << 31
                frame = np.empty(ds.shape[1:], dtype=ds.dtype)

                if variant == "read_direct":
                    def one(i):
                        ds.read_direct(frame, np.s_[i])
                        return frame
                else:
                    def one(i):
                        return ds[i]

                for i in range(warmup):
                    one(i)
                bad = 0
                t0 = time.perf_counter()
                for i in range(n):
                    a = one(i)
                    if a.flat[0] != i % mod:
                        bad += 1
                secs = time.perf_counter() - t0
            results[variant] = {"seconds": secs, "frames": n, "bad": bad}
        out({"ok": True, "results": results})
        return

    if cmd == "keys":
        polls = req["polls"]
        with h5py.File(req["file"], "r", swmr=True) as f:
            ds = f[req["dset"]]

            def poll():
                # swmr_tools 0.9 KeyFollower._is_next: refresh, read every key in full, flatten,
                # merge into float64, index of the first zero - 1.
                ds.refresh()
                k = ds[...].flatten()
                merged = np.zeros(k.size, dtype=np.float64)
                merged += k
                z = np.where(merged == 0)[0]
                return (z[0] if z.size else merged.size) - 1

            first_t0 = time.perf_counter()
            current = poll()
            first = time.perf_counter() - first_t0
            times = []
            for _ in range(polls):
                t0 = time.perf_counter()
                poll()
                times.append(time.perf_counter() - t0)
        out({"ok": True, "currentMax": int(current), "first": first, "pollSeconds": times})
        return

    if cmd == "types-write":
        n = req["n"]
        rec = np.dtype([("index", "<i8"), ("x", "<f8"), ("y", "<f4"), ("name", "S12"), ("ok", "?")])
        r = np.zeros(n, rec)
        r["index"] = np.arange(n)
        r["x"] = np.arange(n) / 3
        r["y"] = np.arange(n, dtype="f4") * 0.5
        r["name"] = np.char.mod(b"det-%07d", np.arange(n))
        r["ok"] = np.arange(n) % 3 == 0
        with h5py.File(req["file"], "w") as f:
            f.create_dataset("strings", data=np.array(["frame-%07d-label" % i for i in range(n)], dtype=h5py.string_dtype()))
            f.create_dataset("records", data=r)
        out({"ok": True})
        return

    if cmd == "types-read":
        with h5py.File(req["file"], "r") as f:
            s, r = f["strings"], f["records"]
            s[()], r[()]  # warm
            rounds = []
            for _ in range(req["rounds"]):
                t0 = time.perf_counter()
                a = s[()]
                t1 = time.perf_counter()
                b = r[()]
                t2 = time.perf_counter()
                c = r[()].tolist()
                t3 = time.perf_counter()
                ok = a[-1] == b"frame-%07d-label" % (len(a) - 1) and b["index"][-1] == len(b) - 1 and c[-1][0] == len(c) - 1
                rounds.append({"strings": t1 - t0, "records": t2 - t1, "tolist": t3 - t2, "ok": bool(ok)})
                del a, b, c
        out({"ok": True, "rounds": rounds})
        return

    out({"ok": False, "error": f"unknown command {cmd}"})


if __name__ == "__main__":
    main()
