// Open MPI through pkg-config `ompi` (Debian: libopenmpi-dev). Package.swift adds this target only when Open MPI
// is installed; a2m then trains data-parallel under mpirun (docs/training.md, "Data-parallel training").
#include <mpi.h>

// MPI's handles and special values are macros Swift cannot import (casts of global addresses in Open MPI).
static inline MPI_Comm a2m_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype a2m_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype a2m_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype a2m_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Op a2m_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op a2m_mpi_max(void) { return MPI_MAX; }
static inline MPI_Errhandler a2m_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *a2m_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int a2m_mpi_success(void) { return MPI_SUCCESS; }
static inline int a2m_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int a2m_mpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
