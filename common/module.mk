# common/: L0 base layer.
common_SRCS := $(wildcard common/*.c)
common_OBJS := $(common_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libcommon.a: $(common_OBJS)
ARCHIVES += $(BUILD)/libcommon.a
DEPS += $(common_OBJS:.o=.d)
