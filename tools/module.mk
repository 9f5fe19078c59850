# tools/: the zonewarden command. Everything but main.c also goes into
# libtools.a, so that unit tests can link the config parser and friends.
tools_SRCS := $(wildcard tools/*.c)
tools_OBJS := $(tools_SRCS:%.c=$(BUILD)/%.o)
LAYER_LIBS := $(BUILD)/libsigner.a $(BUILD)/libzones.a $(BUILD)/libkeys.a $(BUILD)/libcommon.a
$(BUILD)/libtools.a: $(filter-out $(BUILD)/tools/main.o,$(tools_OBJS))
$(BUILD)/zonewarden: $(BUILD)/tools/main.o $(BUILD)/libtools.a $(LAYER_LIBS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(DEPLIBS)
DEPS += $(tools_OBJS:.o=.d)
