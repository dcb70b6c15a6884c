// The C surface the ZeroMQ target uses: libzmq plus eventfd (not exported by Swift's Glibc module).
// Only macros and C constructs Swift cannot import live here, as `static inline` helpers.
#ifndef CZEROMQ_SHIM_H
#define CZEROMQ_SHIM_H

#include <errno.h>
#include <sys/eventfd.h>
#include <zmq.h>

/// ZMQ_VERSION is a computed macro, which Swift does not import.
static inline int CZeroMQ_headerVersion(void) { return ZMQ_VERSION; }

/// The calling thread's errno (for non-zmq calls such as eventfd read/write).
static inline int CZeroMQ_errno(void) { return errno; }

#endif
