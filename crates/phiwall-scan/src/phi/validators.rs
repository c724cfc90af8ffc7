//! Check-digit and shape validators for identifiers (Luhn, SSN rules, ABA, DEA, VIN, MBI, NPI).
