#!/bin/bash
# Value checks the charts' start scripts call (sourced by this path).

# is_boolean_yes VALUE: true for 1, yes or true (any case).
is_boolean_yes() {
  case "${1:-}" in
    1 | [Yy][Ee][Ss] | [Tt][Rr][Uu][Ee]) return 0 ;;
    *) return 1 ;;
  esac
}

# is_boolean_no VALUE: true for 0, no or false (any case).
is_boolean_no() {
  case "${1:-}" in
    0 | [Nn][Oo] | [Ff][Aa][Ll][Ss][Ee]) return 0 ;;
    *) return 1 ;;
  esac
}

# is_positive_int VALUE: true for a whole number above zero.
is_positive_int() { [[ ${1:-} =~ ^[0-9]+$ && $1 -gt 0 ]]; }
