//! Fakes of the vendor services (see the vendor documents), served over real HTTP on loopback.
