#!/usr/bin/env python3
"""Submit a directory to a gongkai coordinator and wait for the job to finish.

usage: submit.py RUN_DIR DIRECTORY [GLOB]
"""
import json
import os
import sys
import time

import zmq


class ControlError(Exception):
    pass


def control(ctx, endpoint, verb, body, timeout_ms=5000, retries=3):
    """Send one GKC1 request and return the decoded OK body; raise ControlError on ERR."""
    payload = json.dumps(body).encode("utf-8")
    for attempt in range(retries):
        sock = ctx.socket(zmq.REQ)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RCVTIMEO, timeout_ms)
        sock.connect(endpoint)
        try:
            sock.send_multipart([b"GKC1", verb.encode("ascii"), payload])
            frames = sock.recv_multipart()
        except zmq.Again:
            continue  # no reply in time: retry on a fresh socket
        finally:
            sock.close()
        if len(frames) != 3 or frames[0] != b"GKC1":
            raise ControlError("unexpected reply frames: %r" % (frames,))
        status, reply = frames[1], json.loads(frames[2].decode("utf-8"))
        if status == b"OK":
            return reply
        raise ControlError(reply.get("error", "unknown error"))
    raise ControlError("no reply from %s after %d attempts" % (endpoint, retries))


def main():
    run_dir, directory = sys.argv[1], os.path.abspath(sys.argv[2])
    glob = sys.argv[3] if len(sys.argv) > 3 else None
    endpoint = "ipc://" + os.path.join(run_dir, "control.sock")
    ctx = zmq.Context()
    try:
        job = control(ctx, endpoint, "SUBMIT", {
            "paths": [directory],
            "recursive": True,
            "glob": glob,
            "name": os.path.basename(directory),
        })["job"]
        print("submitted job", job)
        while True:
            status = control(ctx, endpoint, "STATUS", {"job": job})["jobs"][0]
            print("{state}: {done}/{total} done, {failed} failed, {quarantined} quarantined{more}".format(
                more="" if status["walk_complete"] else " (still walking)", **status))
            if status["state"] != "running":
                return 0 if status["failed"] == 0 and status["quarantined"] == 0 else 1
            time.sleep(1.0)
    except ControlError as error:
        print("error:", error, file=sys.stderr)
        return 2
    finally:
        ctx.destroy(linger=0)


if __name__ == "__main__":
    sys.exit(main())
