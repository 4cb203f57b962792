#pragma once
// Private to framework/src/kafka: the ACL filter fields DescribeAcls (the whole request) and
// DeleteAcls (each filter) share, in the serde style of serde.hpp.

#include <cstdint>

#include "lkstream/base/result.hpp"
#include "lkstream/kafka/describe_acls.hpp"

namespace lkstream::kafka::detail {

template <class Io, class Filter>
status acl_filter_fields(Io& io, int16_t v, Filter& f) {
  LK_TRY_STATUS(io.i8("resource_type_filter", f.resource_type));
  LK_TRY_STATUS(io.nullable_string("resource_name_filter", f.resource_name));
  if (v >= 1) LK_TRY_STATUS(io.i8("pattern_type_filter", f.pattern_type));
  LK_TRY_STATUS(io.nullable_string("principal_filter", f.principal));
  LK_TRY_STATUS(io.nullable_string("host_filter", f.host));
  LK_TRY_STATUS(io.i8("operation", f.operation));
  return io.i8("permission_type", f.permission_type);
}

}  // namespace lkstream::kafka::detail
