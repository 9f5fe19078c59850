# tools/: the zonewarden command.
tools_SRCS := $(wildcard tools/*.c)
tools_OBJS := $(tools_SRCS:%.c=$(BUILD)/%.o)
LAYER_LIBS := $(BUILD)/libsigner.a $(BUILD)/libzones.a $(BUILD)/libkeys.a $(BUILD)/libcommon.a
$(BUILD)/zonewarden: $(tools_OBJS) $(LAYER_LIBS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(DEPLIBS)
DEPS += $(tools_OBJS:.o=.d)
